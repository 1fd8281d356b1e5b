import { patched, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import { meshKey } from '../common/naming';
import { MESH_PAIR, MESH_PHASE, MESH_REQUESTER, TYPED_SEARCH_ATTRIBUTES_PATCH } from '../common/search-attributes';
import type { MeshSpec } from '../common/mesh-spec';
import type { Requester, RunPhase } from '../common/status';

export type PhaseRecorder = (phase: RunPhase) => void;

/** Whether this run writes the typed search attributes; decided before the run awaits anything (workflows/run-start.ts). */
export const typedSearchAttributes = (): boolean => patched(TYPED_SEARCH_ATTRIBUTES_PATCH);

/**
 * Indexes the run for `runs`: sets its pair, requester and phase as typed search attributes at
 * start, and returns the function that records each phase change (memo, kept for older readers,
 * and MeshPhase). Runs recorded before the `typed-search-attributes` patch write the memo only.
 */
export function indexRun(spec: MeshSpec, requester: Requester, typed: boolean): PhaseRecorder {
  if (typed) {
    upsertSearchAttributes([
      { key: MESH_PAIR, value: meshKey(spec.local.context, spec.remote.context) },
      { key: MESH_REQUESTER, value: requester.id },
      { key: MESH_PHASE, value: 'running' },
    ]);
  }
  return (phase) => {
    upsertMemo({ phase });
    if (typed) upsertSearchAttributes([{ key: MESH_PHASE, value: phase }]);
  };
}
