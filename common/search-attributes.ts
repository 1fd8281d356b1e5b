import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';

/**
 * The typed search attributes every mesh run carries, so `runs` filters on the server (a
 * visibility query) instead of reading memos. They must exist on the namespace before a run sets
 * them: the embedded dev server registers them at start (`--search-attribute`), and the worker
 * adds them on any other server (worker/run-worker.ts); see docs/workflows.md.
 */
export const MESH_PHASE = defineSearchAttributeKey('MeshPhase', SearchAttributeType.KEYWORD);
/** The cluster pair as `<local>--<remote>` (common/naming.ts meshKey). */
export const MESH_PAIR = defineSearchAttributeKey('MeshPair', SearchAttributeType.KEYWORD);
/** The requester's id (Slack user id, CLI user, `schedule`). */
export const MESH_REQUESTER = defineSearchAttributeKey('MeshRequester', SearchAttributeType.KEYWORD);

export const MESH_SEARCH_ATTRIBUTES = [MESH_PHASE, MESH_PAIR, MESH_REQUESTER] as const;

/** The patch id behind which workflows set these attributes (recorded histories predate it). */
export const TYPED_SEARCH_ATTRIBUTES_PATCH = 'typed-search-attributes';

/** `--search-attribute Name=Keyword` flags for `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  return MESH_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=Keyword`]);
}

/** A visibility-query string literal: single quotes, backslash and quote escaped. */
export function visibilityLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
