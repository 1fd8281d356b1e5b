import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';

export interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

/** GETs a URL once; resolves to the status code and body, or the error's message as body. */
export function get(url: string, tls: TlsFiles = {}, timeoutMs = 5_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const secure = url.startsWith('https:');
    const options = secure
      ? {
          ca: tls.ca ? readFileSync(tls.ca) : undefined,
          cert: tls.cert ? readFileSync(tls.cert) : undefined,
          key: tls.key ? readFileSync(tls.key) : undefined,
          rejectUnauthorized: tls.ca !== undefined,
          timeout: timeoutMs,
        }
      : { timeout: timeoutMs };
    const req = (secure ? request : httpRequest)(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
    req.end();
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` until it returns true. Gives up after `timeoutMs` with an error naming `what` and
 * the last observation, so a start that hangs says what it was waiting for; an aborted `signal`
 * ends the polling at once (with the signal's reason).
 */
export async function until(
  what: string,
  check: () => Promise<true | string>,
  timeoutMs = 100_000,
  intervalMs = 250,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    const result = await check().catch((err: Error) => err.message);
    if (result === true) return;
    if (Date.now() > deadline) throw new Error(`gave up waiting ${timeoutMs / 1000}s for ${what}: ${result}`);
    await sleep(intervalMs);
  }
}
