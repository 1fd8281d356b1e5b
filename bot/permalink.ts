import { ErrorCode, type WebClient } from '@slack/web-api';
import { runMessagePayload } from '../common/run-message-metadata';
import { withTimeout } from './time-limit';
import type { Logger } from './logger';

/**
 * Links a start reply to the run's parent message. The notifier posts that message after the
 * workflow's first task, typically some 100 ms after the start (bench/results/first-message.json),
 * so the bot cannot know its ts when it starts the run: `find` waits (at most `waitMs`) for the
 * parent message whose metadata names the run (workflow and run id, common/run-message-metadata.ts),
 * then asks chat.getPermalink (no scope needed) for its link. Waiting starts are served by one poll
 * of conversations.history per channel and interval, however many there are; a read never runs
 * past the last waiter's deadline, and after a 429 none is made before its Retry-After (the
 * method is Tier 3, shared with the notifier). Anything that goes wrong (history unreadable, no
 * message in time) gives no link; the run is started either way.
 */
export interface RunPermalinks {
  find(channel: string, run: { workflowId: string; runId: string }): Promise<string | undefined>;
}

export interface RunPermalinkOptions {
  /** Longest wait for the run's message; the start reply waits as long. Default 3 s. */
  waitMs?: number;
  /** Interval between history reads while starts wait. Default 250 ms. */
  pollMs?: number;
}

interface Waiter {
  runId: string;
  deadline: number;
  resolve(ts: string | undefined): void;
}

export function createRunPermalinks(client: WebClient, logger: Logger, opts: RunPermalinkOptions = {}): RunPermalinks {
  const waitMs = opts.waitMs ?? 3_000;
  const pollMs = opts.pollMs ?? 250;
  const waiters = new Map<string, Set<Waiter>>();

  /** Parent messages among the channel's newest 100, by run id. */
  const parents = async (channel: string): Promise<Map<string, string>> => {
    const page = await client.conversations.history({ channel, include_all_metadata: true, limit: 100 });
    const byRun = new Map<string, string>();
    for (const m of page.messages ?? []) {
      const payload = runMessagePayload(m.metadata);
      if (payload?.key === 'parent' && payload.run_id && m.ts) byRun.set(payload.run_id, m.ts);
    }
    return byRun;
  };

  let pausedUntil = 0;

  const poll = async (channel: string, set: Set<Waiter>): Promise<void> => {
    while (set.size > 0) {
      await new Promise((r) => setTimeout(r, pollMs).unref());
      let found = new Map<string, string>();
      const left = Math.max(...[...set].map((w) => w.deadline)) - Date.now();
      if (Date.now() >= pausedUntil && left > 0) {
        try {
          found = await withTimeout(parents(channel), left);
        } catch (err) {
          const { code, retryAfter } = err as { code?: string; retryAfter?: number };
          if (code === ErrorCode.RateLimitedError && retryAfter) pausedUntil = Date.now() + retryAfter * 1000;
          logger.debug({ channel, err: (err as Error).message }, 'could not read the channel for a run message');
        }
      }
      for (const waiter of set) {
        const ts = found.get(waiter.runId);
        if (ts || Date.now() >= waiter.deadline) {
          set.delete(waiter);
          waiter.resolve(ts);
        }
      }
    }
    waiters.delete(channel);
  };

  const waitForParent = (channel: string, runId: string): Promise<string | undefined> =>
    new Promise((resolve) => {
      let set = waiters.get(channel);
      const first = !set;
      if (!set) waiters.set(channel, (set = new Set()));
      set.add({ runId, deadline: Date.now() + waitMs, resolve });
      if (first) void poll(channel, set);
    });

  return {
    async find(channel, { workflowId, runId }) {
      const ts = await waitForParent(channel, runId);
      if (!ts) {
        logger.info({ channel, workflowId, runId, waitMs }, 'the run message was not posted in time to link it from the start reply');
        return undefined;
      }
      try {
        const res = await client.chat.getPermalink({ channel, message_ts: ts });
        return res.permalink;
      } catch (err) {
        logger.warn({ channel, workflowId, err: (err as Error).message }, 'chat.getPermalink failed; the start reply has no link');
        return undefined;
      }
    },
  };
}
