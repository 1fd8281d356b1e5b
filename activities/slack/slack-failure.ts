import { ApplicationFailure } from '@temporalio/common';
import { WebAPIPlatformError, WebAPIRateLimitedError } from '@slack/web-api';
import { redactSecrets } from '../../common/redact';

/** Slack errors that retrying cannot fix, and what a person does about each. */
const PERMANENT: Record<string, string> = {
  channel_not_found: 'the channel does not exist or the app cannot see it: invite @meshops to the channel',
  not_in_channel: 'the app is not in the channel: invite @meshops to it (/invite @meshops)',
  is_archived: 'the channel is archived: unarchive it or run /mesh from another channel',
  invalid_auth: 'the bot token is not valid: install the app again and set SLACK_BOT_TOKEN',
  not_authed: 'no bot token was sent: set SLACK_BOT_TOKEN for the worker',
  token_revoked: 'the bot token was revoked: install the app again and set SLACK_BOT_TOKEN',
  account_inactive: 'the bot token belongs to a deleted app or user: install the app again',
  missing_scope: 'the app lacks a scope: reinstall it from manifest.yml',
  invalid_blocks: 'Slack refused the message layout (a meshops bug): report it with the run id',
  msg_too_long: 'the message is too long (a meshops bug): report it with the run id',
  no_text: 'the message had no text (a meshops bug): report it with the run id',
  restricted_action: 'a workspace setting forbids the app to post here: ask a Slack admin',
};

/**
 * Turns a Web API error into what Temporal should do: permanent errors fail the activity with a
 * message a person can act on; rate limits retry after Slack's Retry-After; the rest retry.
 */
export function classifySlackError(err: unknown, what: string): unknown {
  if (err instanceof WebAPIRateLimitedError) {
    return ApplicationFailure.create({ message: `Slack rate-limited ${what}; retrying in ${err.retryAfter}s`, type: 'SlackRateLimited', nextRetryDelay: `${err.retryAfter}s` });
  }
  if (err instanceof WebAPIPlatformError) {
    const fix = PERMANENT[err.data.error];
    if (fix) return ApplicationFailure.nonRetryable(`Slack refused ${what} (${err.data.error}): ${fix}.`, 'SlackPermanentError');
    return ApplicationFailure.retryable(`Slack refused ${what} (${err.data.error}); retrying.`, 'SlackError');
  }
  if (err instanceof Error) return ApplicationFailure.retryable(`${what} failed: ${redactSecrets(err.message)}`, 'SlackUnavailable');
  return err;
}
