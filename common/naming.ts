/** Names shared by every edge and process, kept in one place. */
export const DEFAULT_TASK_QUEUE = 'meshops';
export const DEFAULT_NAMESPACE = 'default';
export const FIELD_MANAGER = 'meshops';

export const WORKFLOW_ID_PREFIX = {
  /** Setup, teardown and any later repair of a pair: the runs that change its clusters. */
  mutating: 'mesh',
  verify: 'mesh-verify',
} as const;

/** Prefixes of runs started before setup and teardown shared one id; `runs` still finds them by pair. */
export const LEGACY_WORKFLOW_ID_PREFIXES = ['mesh-setup', 'mesh-teardown', 'mesh-verify'] as const;

/** The pair as `<local>--<remote>`, in the order given: how a run and the MeshPair attribute name it. */
export function meshKey(localContext: string, remoteContext: string): string {
  const safe = (s: string) => s.toLowerCase().replace(/[^a-z0-9.-]+/g, '-');
  return `${safe(localContext)}--${safe(remoteContext)}`;
}

/** The pair whatever its order: `a b` and `b a` touch the same two clusters. */
export function unorderedPairKey(a: string, b: string): string {
  const [first, second] = [a, b].sort();
  return meshKey(first, second);
}

/**
 * One mutating run per pair: setup and teardown of `a b` or `b a` share this id, so the server
 * refuses a second start while one runs (workflowIdConflictPolicy FAIL).
 */
export function mutatingRunId(localContext: string, remoteContext: string): string {
  return `${WORKFLOW_ID_PREFIX.mutating}/${unorderedPairKey(localContext, remoteContext)}`;
}

/** One verify run per pair at a time; a verify never changes a cluster, so it does not block setup. */
export function verifyRunId(localContext: string, remoteContext: string): string {
  return `${WORKFLOW_ID_PREFIX.verify}/${unorderedPairKey(localContext, remoteContext)}`;
}

export function workflowIdFor(kind: 'setup' | 'teardown' | 'verify', localContext: string, remoteContext: string): string {
  return kind === 'verify' ? verifyRunId(localContext, remoteContext) : mutatingRunId(localContext, remoteContext);
}
