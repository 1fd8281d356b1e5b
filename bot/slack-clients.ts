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

/** A WebClient for the request path (see REQUEST_PATH_CLIENT_OPTIONS; `extra` may tighten it, e.g. LAMBDA_CLIENT_OPTIONS). */
export function requestPathWebClient(token: string, slackApiUrl?: string, extra: WebClientOptions = {}): WebClient {
  return new WebClient(token, { ...REQUEST_PATH_CLIENT_OPTIONS, ...(slackApiUrl ? { slackApiUrl } : {}), ...extra });
}

/**
 * On Lambda the whole request, Slack calls included, must end inside Slack's 3 s: one attempt of
 * at most 800 ms, no retry.
 */
export const LAMBDA_CLIENT_OPTIONS = {
  ...REQUEST_PATH_CLIENT_OPTIONS,
  timeout: 800,
  retryConfig: { retries: 0 },
} as const satisfies WebClientOptions;

/**
 * The same client, one attempt only: for calls whose retry cannot succeed (views.open: a trigger_id
 * is good once, so a retry after a lost answer gets exchanged_trigger_id with the modal open).
 */
export function singleAttempt(client: WebClient, timeoutMs = 2_000): WebClient {
  return new WebClient(client.token, { ...REQUEST_PATH_CLIENT_OPTIONS, slackApiUrl: client.slackApiUrl, timeout: timeoutMs, retryConfig: { retries: 0 } });
}
