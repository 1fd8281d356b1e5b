import { Client, Connection } from '@temporalio/client';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import { MeshClient } from '../client';
import type { BotDeps } from './deps';
import { loadPolicy } from './load-policy';
import type { Logger } from './logger';
import type { BotSettings } from './settings';
import { createSlackChecks } from './slack-checks';
import { requestPathWebClient } from './slack-clients';
import { meshOpsWithDeadlines } from './temporal-deadline';
import { createUserGroupResolver } from './user-groups';

export interface ConnectOptions {
  /**
   * 'eager' (default) checks Temporal at start and fails fast; 'lazy' (Lambda) connects on the
   * first call, inside that call's deadline, so a slow Temporal cannot hold up a cold start.
   */
  temporal?: 'eager' | 'lazy';
  /** The deadline of each Temporal call the bot makes for a Slack request. Default 10 s. */
  temporalCallMs?: number;
  /** Options of the Web API clients used while answering a request; default REQUEST_PATH_CLIENT_OPTIONS. */
  slackClient?: WebClientOptions;
}

export const DEFAULT_TEMPORAL_CALL_MS = 10_000;

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
export async function connect(settings: BotSettings, logger: Logger, opts: ConnectOptions = {}): Promise<Connected> {
  const policy = loadPolicy(settings.policyFile);
  // auth.test once at start may take the library's patient defaults, bounded by a timeout.
  const web = new WebClient(settings.botToken, { slackApiUrl: settings.apiUrl, timeout: 10_000, retryConfig: { retries: 2 } });
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
    connection = opts.temporal === 'lazy' ? Connection.lazy({ address: settings.temporal.address }) : await Connection.connect({ address: settings.temporal.address });
  } catch (err) {
    throw new Error(`Cannot reach Temporal at ${settings.temporal.address} (${(err as Error).message}). Start the worker (it embeds a dev server) or set TEMPORAL_ADDRESS.`, { cause: err });
  }
  const client = new Client({ connection, namespace: settings.temporal.namespace });
  // Every Temporal call made for a Slack request ends by its deadline (bot/temporal-deadline.ts).
  const mesh = meshOpsWithDeadlines(new MeshClient({ client, taskQueue: settings.temporal.taskQueue }), client, opts.temporalCallMs ?? DEFAULT_TEMPORAL_CALL_MS);
  logger.info({ temporal: settings.temporal.address, namespace: settings.temporal.namespace, botUserId: identity.botUserId }, 'bot connected');
  return {
    identity,
    deps: {
      mesh,
      policy,
      groups: createUserGroupResolver(requestPathWebClient(settings.botToken, settings.apiUrl, opts.slackClient), logger),
      logger,
      temporalUi: { url: settings.temporal.uiUrl, namespace: settings.temporal.namespace },
      ...createSlackChecks(settings.botToken, settings.apiUrl, logger, opts.slackClient ? { client: opts.slackClient, channel: { timeoutMs: Number(opts.slackClient.timeout ?? 3_000) } } : {}),
    },
    close: () => connection.close(),
  };
}
