import { WebClient, type WebClientOptions } from '@slack/web-api';

/**
 * Web API client settings for calls made while a Slack request is being answered (group lookup,
 * the answer to a click, views.open, channel checks). The library's default retries about ten
 * times over some 30 minutes and sleeps through 429s; a person waiting on a slash command or a
 * click cannot. So: 1 s per attempt, one retry after 100–250 ms, and a 429 is thrown at once
 * (WebAPIRateLimitedError with Slack's Retry-After) for the caller to honour, not slept through.
 * Worst case about 2.3 s per call. The notifier activity keeps its own, patient client.
 */
export const REQUEST_PATH_CLIENT_OPTIONS = {
  timeout: 1_000,
  retryConfig: { retries: 1, factor: 1, minTimeout: 100, maxTimeout: 250, randomize: false },
  rejectRateLimitedCalls: true,
} as const satisfies WebClientOptions;

/** A WebClient for the request path (see REQUEST_PATH_CLIENT_OPTIONS). */
export function requestPathWebClient(token: string, slackApiUrl?: string, extra: WebClientOptions = {}): WebClient {
  return new WebClient(token, { ...REQUEST_PATH_CLIENT_OPTIONS, ...(slackApiUrl ? { slackApiUrl } : {}), ...extra });
}
