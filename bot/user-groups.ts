import type { WebClient } from '@slack/web-api';
import type { Logger } from './logger';

/** A user's Slack user groups, as ids (S0123) and handles (oncall): the policy may name either. */
export type UserGroupResolver = (userId: string) => Promise<string[]>;

/**
 * Resolves groups with one usergroups.list call (include_users) cached for `ttlMs` and shared by
 * concurrent requests, instead of one call per command or click. If Slack refuses (e.g. the
 * usergroups:read scope is missing), the user counts as in no group: the policy then matches user
 * ids only, and the refusal is logged.
 */
export function createUserGroupResolver(client: WebClient, logger: Logger, ttlMs = 60_000): UserGroupResolver {
  let cache: { at: number; byUser: Promise<Map<string, string[]>> } | undefined;

  const load = async (): Promise<Map<string, string[]>> => {
    const res = await client.usergroups.list({ include_users: true });
    const byUser = new Map<string, string[]>();
    for (const group of res.usergroups ?? []) {
      const names = [group.id, group.handle].filter((x): x is string => !!x);
      for (const user of group.users ?? []) byUser.set(user, [...(byUser.get(user) ?? []), ...names]);
    }
    return byUser;
  };

  return async (userId) => {
    if (!cache || Date.now() - cache.at > ttlMs) cache = { at: Date.now(), byUser: load() };
    try {
      return (await cache.byUser).get(userId) ?? [];
    } catch (err) {
      cache = undefined; // try again on the next request
      logger.warn({ err: (err as Error).message }, 'could not list Slack user groups; matching users by id only');
      return [];
    }
  };
}
