/** Names shared by every edge and process, kept in one place. */
export const DEFAULT_TASK_QUEUE = 'meshops';
export const DEFAULT_NAMESPACE = 'default';
export const FIELD_MANAGER = 'meshops';

export const WORKFLOW_ID_PREFIX = {
  setup: 'mesh-setup',
  teardown: 'mesh-teardown',
  verify: 'mesh-verify',
} as const;

/** One mesh per cluster pair: the id is derived from the two contexts, so a second run is refused. */
export function meshKey(localContext: string, remoteContext: string): string {
  const safe = (s: string) => s.toLowerCase().replace(/[^a-z0-9.-]+/g, '-');
  return `${safe(localContext)}--${safe(remoteContext)}`;
}

export function workflowIdFor(kind: keyof typeof WORKFLOW_ID_PREFIX, localContext: string, remoteContext: string): string {
  return `${WORKFLOW_ID_PREFIX[kind]}/${meshKey(localContext, remoteContext)}`;
}
