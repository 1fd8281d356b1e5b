import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { describeError } from '../describe-error';
import type { Logger } from '../logger';
import { ephemeral, type Reply } from '../render/replies';

/** Where a click happened: its channel, the clicker, and the thread of the message holding the buttons. */
export interface ClickPlace {
  channel: string;
  user: string;
  /** The thread's parent ts (Slack: use the parent's ts, not a reply's); unset for a top-level message. */
  threadTs?: string;
}

interface ClickBody {
  user: { id: string };
  channel?: { id: string };
  message?: { ts?: string; thread_ts?: string };
  container?: { channel_id?: string; message_ts?: string; thread_ts?: string };
}

/**
 * The buttons sit in a thread reply of the run's message: its thread_ts is the run's message. A
 * message with buttons that is itself a parent starts the thread with its own ts.
 */
export function clickPlace(body: ClickBody): ClickPlace {
  return {
    channel: body.channel?.id ?? body.container?.channel_id ?? '',
    user: body.user.id,
    threadTs: body.message?.thread_ts ?? body.container?.thread_ts ?? body.message?.ts ?? body.container?.message_ts,
  };
}

/**
 * Answers the clicker privately in the run's thread: chat.postEphemeral with thread_ts (Slack
 * documents thread_ts for response_url answers only with response_type in_channel, which everyone
 * would see). If Slack refuses it, the answer goes through the click's response_url instead, at
 * the channel's top level, rather than being lost.
 */
export async function answerInThread(client: WebClient, place: ClickPlace, reply: Reply, logger: Logger, respond?: RespondFn): Promise<void> {
  try {
    await client.chat.postEphemeral({ channel: place.channel, user: place.user, text: reply.text, ...(reply.blocks ? { blocks: reply.blocks } : {}), ...(place.threadTs ? { thread_ts: place.threadTs } : {}) });
    return;
  } catch (err) {
    logger.warn({ channel: place.channel, user: place.user, err: (err as Error).message }, 'could not answer in the run thread; answering through response_url');
  }
  if (!respond) return;
  try {
    await respond({ ...reply, response_type: 'ephemeral', replace_original: false });
  } catch (err) {
    logger.error({ channel: place.channel, user: place.user, err: (err as Error).message }, 'could not answer the click');
  }
}

/** Runs the work of a request; anything it throws becomes an ephemeral answer (and a log line), never silence. */
export async function answerOf(work: () => Promise<Reply>, doing: string, logger: Logger): Promise<Reply> {
  try {
    return await work();
  } catch (err) {
    const { text, expected } = describeError(err, doing);
    if (expected) logger.info({ reason: text }, 'refused request');
    else logger.error({ err: text }, 'request failed');
    return ephemeral(`:warning: ${text}`);
  }
}
