import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
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

const { History } = temporal.api.history.v1;

/**
 * With MESHOPS_RECORD_HISTORIES=1, saves the run's history as test/workflows/histories/<name>.json,
 * unless that file exists: recorded histories stay as recorded, so that the replay test keeps
 * proving that runs of older workflow code still replay (a new recording needs a new name).
 * The JSON is protobufjs's object form of the History (int64 and bytes as strings), read back by
 * readHistory. Not the SDK's historyToJSON/historyFromJSON: in this install @temporalio/common and
 * @temporalio/proto each carry their own protobufjs copy, and protojson then refuses the type
 * ("type must be a Type").
 */
export async function maybeRecordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env[RECORD_HISTORIES_ENV] !== '1' || existsSync(join(HISTORIES_DIR, `${name}.json`))) return;
  await handle.result().catch(() => undefined);
  const history = await handle.fetchHistory();
  const json = History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String });
  mkdirSync(HISTORIES_DIR, { recursive: true });
  writeFileSync(join(HISTORIES_DIR, `${name}.json`), `${JSON.stringify(json, null, 1)}\n`);
}

/** A history saved by maybeRecordHistory, as the History message runReplayHistories takes. */
export function readHistory(file: string): temporal.api.history.v1.History {
  return History.fromObject(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>);
}
