import { App, type Receiver } from '@slack/bolt';
import type { BotDeps } from './deps';
import { boltLogger } from './logger';
import { registerListeners } from './listeners';

export interface MeshAppOptions {
  receiver: Receiver;
  botToken: string;
  /** From auth.test at start-up: with them Bolt does not call auth.test on every request. */
  botId: string;
  botUserId: string;
  /** Slack Web API base URL; tests point it at the stand-in. */
  slackApiUrl?: string;
}

/** The Bolt app: a receiver, the bot identity, and the listeners. */
export function createMeshApp(opts: MeshAppOptions, deps: BotDeps): App {
  const app = new App({
    receiver: opts.receiver,
    token: opts.botToken,
    botId: opts.botId,
    botUserId: opts.botUserId,
    logger: boltLogger(deps.logger),
    clientOptions: { slackApiUrl: opts.slackApiUrl },
  });
  app.error(async (error) => {
    deps.logger.error({ err: error.message, code: error.code }, 'unhandled error in a Slack listener');
  });
  registerListeners(app, deps);
  return app;
}
