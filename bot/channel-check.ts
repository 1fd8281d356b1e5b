import type { WebClient } from '@slack/web-api';
import type { Logger } from './logger';
import { withTimeout } from './time-limit';

/**
 * Can a run started from this channel be followed there? Its parent message, thread and approval
 * buttons are posted in the channel by the notifier, and a retried post first reads the channel's
 * history (conversations.history / conversations.replies) to find what an earlier attempt posted.
 */
export type ChannelAccess =
  | { ok: true }
  /** Slack answered, and the bot may not run there: `text` says why and how to fix it. */
  | { ok: false; kind: 'not-member' | 'private' | 'dm'; text: string }
  /** Slack did not answer (down, slow, refused the token or scope): nothing is known; try again. */
  | { ok: false; kind: 'unknown'; text: string };

export type ChannelCheck = (channelId: string) => Promise<ChannelAccess>;

export const INVITE_FIX = 'invite @meshops to this channel: `/invite @meshops`';

const REFUSAL = {
  'not-member':
    `meshops is not in this channel. It could post the run's message here, but Slack does not let it read the channel back (\`not_in_channel\`), ` +
    `which it needs to find its own messages when a post is retried. Nothing was started: ${INVITE_FIX}, then run the command again.`,
  private: `meshops is not in this private channel, so nobody here would see the run. Nothing was started: ${INVITE_FIX}, then run the command again.`,
  dm:
    'meshops posts each run, its approval buttons and its summary in a channel where others can follow and approve it, not in a direct message. ' +
    `Nothing was started: run the command in a channel (${INVITE_FIX}).`,
  unknown: 'Could not check the channel: Slack did not say whether meshops may post here. Nothing was started; try again in a minute.',
} as const;

export interface ChannelCheckOptions {
  /** How long a channel the bot may post in is remembered. Refusals and failures are never cached, so an /invite takes effect at once. */
  ttlMs?: number;
  /** How long to wait for conversations.info (its client's own timeouts and retry included) before answering `unknown`. */
  timeoutMs?: number;
}

/**
 * Checks membership with conversations.info (channels:read, groups:read, im:read or mpim:read,
 * by the conversation's type):
 * - a DM or group DM (`is_im`, `is_mpim`): refused, a run there is seen by nobody else;
 * - `channel_not_found`: a private channel (or DM) the bot is not in, invisible to it: refused;
 * - a public channel with `is_member: false`: refused as well. chat:write.public would let it post,
 *   but the notifier's retry path reads history and replies, which Slack refuses to non-members;
 * - anything else going wrong (timeout, rate limit, missing scope, Slack down): `unknown`, so the
 *   caller starts nothing and asks to try again.
 * A channel the bot may post in is cached for `ttlMs` (membership rarely changes; the check stays
 * off the hot path), and concurrent checks of one channel share one call.
 */
export function createChannelCheck(client: WebClient, logger: Logger, opts: ChannelCheckOptions = {}): ChannelCheck {
  const ttlMs = opts.ttlMs ?? 60_000;
  const timeoutMs = opts.timeoutMs ?? 3_000;
  const allowed = new Map<string, number>();
  const inflight = new Map<string, Promise<ChannelAccess>>();

  const ask = async (channelId: string): Promise<ChannelAccess> => {
    try {
      const res = await withTimeout(client.conversations.info({ channel: channelId }), timeoutMs);
      const channel = res.channel;
      if (!channel) throw new Error('conversations.info answered without a channel');
      if (channel.is_im || channel.is_mpim) return refuse('dm');
      if (!channel.is_member) return refuse(channel.is_private ? 'private' : 'not-member');
      allowed.set(channelId, Date.now());
      return { ok: true };
    } catch (err) {
      const error = (err as { data?: { error?: string; needed?: string } }).data;
      if (error?.error === 'channel_not_found') return refuse(channelId.startsWith('D') ? 'dm' : 'private');
      logger.warn({ channel: channelId, err: (err as Error).message, needed: error?.needed }, 'could not check the channel with conversations.info');
      return refuse('unknown');
    }
  };

  return async (channelId) => {
    const at = allowed.get(channelId);
    if (at !== undefined && Date.now() - at < ttlMs) return { ok: true };
    let pending = inflight.get(channelId);
    if (!pending) {
      pending = ask(channelId).finally(() => inflight.delete(channelId));
      inflight.set(channelId, pending);
    }
    return pending;
  };
}

function refuse(kind: keyof typeof REFUSAL): ChannelAccess {
  return { ok: false, kind, text: REFUSAL[kind] };
}
