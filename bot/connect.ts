import { Client, Connection } from '@temporalio/client';
import { WebClient } from '@slack/web-api';
import { MeshClient } from '../client';
import type { BotDeps } from './deps';
import { loadPolicy } from './load-policy';
import type { Logger } from './logger';
import type { BotSettings } from './settings';
import { createUserGroupResolver } from './user-groups';

export interface Connected {
  deps: BotDeps;
  identity: { botId: string; botUserId: string };
  close(): Promise<void>;
}

/**
 * Everything outside the bot it needs before answering Slack: the policy, Temporal, and the bot's
 * own identity (one auth.test now, so Bolt does not call it on every request). Fails fast with
 * what to fix.
 */
export async function connect(settings: BotSettings, logger: Logger): Promise<Connected> {
  const policy = loadPolicy(settings.policyFile);
  const web = new WebClient(settings.botToken, { slackApiUrl: settings.apiUrl });
  let identity: { botId: string; botUserId: string };
  try {
    const auth = await web.auth.test();
    if (!auth.bot_id || !auth.user_id) throw new Error('auth.test answered without bot_id/user_id: SLACK_BOT_TOKEN must be a bot token (xoxb-…)');
    identity = { botId: auth.bot_id, botUserId: auth.user_id };
  } catch (err) {
    throw new Error(`Slack refused SLACK_BOT_TOKEN (auth.test: ${(err as Error).message}). Copy the Bot User OAuth Token again from the app's OAuth & Permissions page.`, { cause: err });
  }
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: settings.temporal.address });
  } catch (err) {
    throw new Error(`Cannot reach Temporal at ${settings.temporal.address} (${(err as Error).message}). Start the worker (it embeds a dev server) or set TEMPORAL_ADDRESS.`, { cause: err });
  }
  const client = new Client({ connection, namespace: settings.temporal.namespace });
  const mesh = new MeshClient({ client, taskQueue: settings.temporal.taskQueue });
  logger.info({ temporal: settings.temporal.address, namespace: settings.temporal.namespace, botUserId: identity.botUserId }, 'bot connected');
  return {
    identity,
    deps: {
      mesh,
      policy,
      groups: createUserGroupResolver(web, logger),
      logger,
      temporalUi: { url: settings.temporal.uiUrl, namespace: settings.temporal.namespace },
    },
    close: () => connection.close(),
  };
}
