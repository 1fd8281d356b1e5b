import { App, type Receiver } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import type { BotDeps } from './deps';
import { boltLogger } from './logger';
import { registerListeners, type ListenerOptions } from './listeners';
import { REQUEST_PATH_CLIENT_OPTIONS } from './slack-clients';

export interface MeshAppOptions extends ListenerOptions {
  receiver: Receiver;
  botToken: string;
  /** From auth.test at start-up: with them Bolt does not call auth.test on every request. */
  botId: string;
  botUserId: string;
  /** Slack Web API base URL; tests point it at the stand-in. */
  slackApiUrl?: string;
  /** Options of the client Bolt hands to listeners; default REQUEST_PATH_CLIENT_OPTIONS (Lambda: LAMBDA_CLIENT_OPTIONS). */
  slackClient?: WebClientOptions;
}

/**
 * The Bolt app: a receiver, the bot identity, and the listeners. The `client` Bolt hands to
 * listeners (views.open, chat.postEphemeral) is a request-path client: short timeout, one retry,
 * 429s thrown rather than slept through (bot/slack-clients.ts).
 */
export function createMeshApp(opts: MeshAppOptions, deps: BotDeps): App {
  const app = new App({
    receiver: opts.receiver,
    token: opts.botToken,
    botId: opts.botId,
    botUserId: opts.botUserId,
    logger: boltLogger(deps.logger),
    clientOptions: { ...(opts.slackClient ?? REQUEST_PATH_CLIENT_OPTIONS), slackApiUrl: opts.slackApiUrl },
  });
  app.error(async (error) => {
    deps.logger.error({ err: error.message, code: error.code }, 'unhandled error in a Slack listener');
  });
  registerListeners(app, deps, { answerInAck: opts.answerInAck, requestBudgetMs: opts.requestBudgetMs, answerWithinMs: opts.answerWithinMs });
  return app;
}
