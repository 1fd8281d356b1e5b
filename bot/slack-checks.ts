import { createChannelCheck, type ChannelCheck, type ChannelCheckOptions } from './channel-check';
import type { Logger } from './logger';
import { createRunPermalinks, type RunPermalinkOptions, type RunPermalinks } from './permalink';
import { requestPathWebClient } from './slack-clients';
import type { WebClientOptions } from '@slack/web-api';

export interface SlackChecks {
  channels: ChannelCheck;
  permalinks: RunPermalinks;
}

/**
 * The bot's own Slack reads around a command: may it run in the channel, and the link to a run's
 * message. They use the request-path WebClient (bot/slack-clients.ts: short timeout, one retry, a
 * 429 is an error at once), so a slow Slack makes a command say "try again" instead of hanging it.
 */
export function createSlackChecks(
  botToken: string,
  slackApiUrl: string | undefined,
  logger: Logger,
  opts: { client?: WebClientOptions; channel?: ChannelCheckOptions; permalink?: RunPermalinkOptions } = {},
): SlackChecks {
  const client = requestPathWebClient(botToken, slackApiUrl, opts.client);
  return { channels: createChannelCheck(client, logger, opts.channel), permalinks: createRunPermalinks(client, logger, opts.permalink) };
}
