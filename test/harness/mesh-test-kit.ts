import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { MeshClient } from '../../client/mesh-client';
import { meshSpecFor, type MeshSpecInput } from '../../common/mesh-spec';
import type { MeshStatus } from '../../common/status';
import { eventually } from './child-process';

export const REQUESTER = { id: 'U-REQUESTER', name: 'requester', via: 'slack' as const, channel: 'C-MESH' };
export const ONCALL = { id: 'U-ONCALL', name: 'on-call', groups: ['oncall'] };

/** A spec whose cluster contexts (and so workflow id) are unique to `name`. */
export function specFor(name: string, overrides: Partial<MeshSpecInput> = {}): MeshSpecInput {
  return meshSpecFor(`${name}-local`, `${name}-remote`, overrides);
}

/** Polls the status query until `check` holds; returns that status. */
export async function statusWhen(mesh: MeshClient, workflowId: string, check: (s: MeshStatus) => boolean, what: string): Promise<MeshStatus> {
  let last: MeshStatus | undefined;
  let polling = false;
  await eventually(() => {
    if (last && check(last)) return true;
    if (!polling) {
      polling = true;
      mesh.status(workflowId).then(
        (s) => ((last = s), (polling = false)),
        () => (polling = false),
      );
    }
    return false;
  }, `${workflowId}: ${what}`);
  return last!;
}

export const stepState = (s: MeshStatus, id: string) => s.steps.find((x) => x.id === id)?.state;

/** Env flag that makes real runs write their histories for the replay test (see README-workflow). */
export const RECORD_HISTORIES_ENV = 'MESHOPS_RECORD_HISTORIES';
export const HISTORIES_DIR = join(__dirname, '../workflows/histories');

/** With MESHOPS_RECORD_HISTORIES=1, saves the run's history as test/workflows/histories/<name>.json. */
export async function maybeRecordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env[RECORD_HISTORIES_ENV] !== '1') return;
  mkdirSync(HISTORIES_DIR, { recursive: true });
  writeFileSync(join(HISTORIES_DIR, `${name}.json`), historyToJSON(await handle.fetchHistory()));
}
