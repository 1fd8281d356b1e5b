import { ErrorCode, type WebClient } from '@slack/web-api';
import type { Logger } from './logger';

/**
 * A user's Slack user groups, as ids (S0123) and handles (oncall): the policy may name either.
 * Rejects with GroupLookupError when Slack could not tell (and no recent answer is at hand).
 */
export type UserGroupResolver = (userId: string) => Promise<string[]>;

/**
 * Slack could not say which groups a user is in (slow, failing, rate-limited). Never read as
 * "in no group": that would turn a Slack hiccup into "you are not an approver".
 */
export class GroupLookupError extends Error {
  constructor(
    readonly why: 'rate-limited' | 'slow' | 'failed',
    /** Seconds until Slack accepts usergroups.list again (its Retry-After), when rate-limited. */
    readonly retryAfterSeconds?: number,
    options?: ErrorOptions,
  ) {
    const detail = why === 'rate-limited' ? 'Slack is rate-limiting usergroups.list' : why === 'slow' ? 'Slack did not answer usergroups.list in time' : 'Slack refused usergroups.list';
    const when = retryAfterSeconds ? `in ${retryAfterSeconds} s` : 'in a moment';
    super(`Could not check your Slack user groups (${detail}), so nothing was done; try again ${when}.`, options);
    this.name = 'GroupLookupError';
  }
}

export interface UserGroupResolverOptions {
  /** How long an answer is used without asking Slack again. Default 60 s. */
  ttlMs?: number;
  /** How old an answer may be and still stand in when Slack is slow or failing. Default 10 min. */
  maxStaleMs?: number;
  /** How long a request waits for usergroups.list before it falls back to the last answer (or gives up). Default 1 s. */
  waitMs?: number;
}

interface Answer {
  at: number;
  byUser: Map<string, string[]>;
}

/**
 * Resolves groups with one usergroups.list call (include_users) cached for `ttlMs` and shared by
 * concurrent requests, instead of one call per command or click. When the cache is due, a request
 * waits up to `waitMs` for a fresh answer; if Slack is slow, fails or rate-limits, the last answer
 * (at most `maxStaleMs` old) is used and the refresh goes on in the background. Without such an
 * answer the request fails with GroupLookupError. A 429's Retry-After is honoured: no call to
 * usergroups.list before it has passed.
 */
export function createUserGroupResolver(client: WebClient, logger: Logger, options: UserGroupResolverOptions | number = {}): UserGroupResolver {
  const opts = typeof options === 'number' ? { ttlMs: options } : options;
  const ttlMs = opts.ttlMs ?? 60_000;
  const maxStaleMs = Math.max(opts.maxStaleMs ?? 10 * 60_000, ttlMs);
  const waitMs = opts.waitMs ?? 1_000;
  let last: Answer | undefined;
  let inflight: Promise<Answer> | undefined;
  let blockedUntil = 0;

  const load = async (): Promise<Answer> => {
    const res = await client.usergroups.list({ include_users: true });
    const byUser = new Map<string, string[]>();
    for (const group of res.usergroups ?? []) {
      const names = [group.id, group.handle].filter((x): x is string => !!x);
      for (const user of group.users ?? []) byUser.set(user, [...(byUser.get(user) ?? []), ...names]);
    }
    return { at: Date.now(), byUser };
  };

  /** One usergroups.list at a time; its outcome updates the cache or the Retry-After block. */
  const refresh = (): Promise<Answer> => {
    inflight ??= load()
      .then(
        (answer) => {
          last = answer;
          return answer;
        },
        (err: unknown) => {
          const e = err as { code?: string; retryAfter?: number; message?: string };
          if (e.code === ErrorCode.RateLimitedError) {
            const seconds = Math.max(1, Math.ceil(e.retryAfter ?? 1));
            blockedUntil = Date.now() + seconds * 1000;
            logger.warn({ retryAfter: seconds }, 'usergroups.list rate-limited; not asking Slack again before Retry-After');
            throw new GroupLookupError('rate-limited', seconds, { cause: err });
          }
          logger.warn({ err: e.message }, 'could not list Slack user groups');
          throw new GroupLookupError('failed', undefined, { cause: err });
        },
      )
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };

  const groupsOf = (answer: Answer, userId: string) => [...(answer.byUser.get(userId) ?? [])];

  return async (userId) => {
    const now = Date.now();
    if (last && now - last.at < ttlMs) return groupsOf(last, userId);
    const stale = last && now - last.at <= maxStaleMs ? last : undefined;
    if (now < blockedUntil) {
      if (stale) return groupsOf(stale, userId);
      throw new GroupLookupError('rate-limited', Math.ceil((blockedUntil - now) / 1000));
    }
    const fresh = refresh();
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<'slow'>((resolve) => {
      timer = setTimeout(() => resolve('slow'), waitMs);
    });
    try {
      const answer = await Promise.race([fresh, slow]);
      if (answer !== 'slow') return groupsOf(answer, userId);
      fresh.catch(() => undefined); // finishes in the background and fills the cache for the next request
      if (stale) {
        logger.info({ ageMs: now - stale.at }, 'usergroups.list is slow; using the last answer');
        return groupsOf(stale, userId);
      }
      throw new GroupLookupError('slow');
    } catch (err) {
      if (stale && err instanceof GroupLookupError) {
        logger.info({ ageMs: now - stale.at, why: err.why }, 'usergroups.list failed; using the last answer');
        return groupsOf(stale, userId);
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  };
}
