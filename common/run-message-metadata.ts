/**
 * How the Slack notifier marks every message of a run (Slack message metadata): a retried post
 * finds what an earlier attempt posted, and the bot finds a run's parent message to link it. The
 * run id tells apart the runs of one workflow id (setup and teardown of a pair share it).
 */
export const RUN_MESSAGE_EVENT = 'meshops_run';

export interface RunMessagePayload {
  workflow_id: string;
  /** Unset on messages posted before runs named themselves. */
  run_id?: string;
  /** Which message of the run: parent, details, summary, approval:<step>, failed:<step>. */
  key: string;
}

/** The payload of a message's metadata when meshops posted it, else undefined. */
export function runMessagePayload(metadata: { event_type?: string; event_payload?: unknown } | undefined): RunMessagePayload | undefined {
  if (metadata?.event_type !== RUN_MESSAGE_EVENT) return undefined;
  const p = metadata.event_payload as Partial<RunMessagePayload> | undefined;
  return typeof p?.workflow_id === 'string' && typeof p.key === 'string' ? { workflow_id: p.workflow_id, key: p.key, ...(typeof p.run_id === 'string' ? { run_id: p.run_id } : {}) } : undefined;
}
