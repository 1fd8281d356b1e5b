/**
 * response_url as Slack hands them out: one per slash command or click, tied to its channel and
 * user, good for at most 5 uses within 30 minutes of being issued. A 6th use answers HTTP 404
 * `used_url`; a use after 30 minutes (by the stand-in's clock) answers HTTP 404 `expired_url`.
 * (Slack documents the limits; the refusal body is what Slack's hooks answer, a plain-text code.)
 */

export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;

export interface ResponseUrlContext {
  /** The channel the command was typed in or the clicked message is in. */
  channel?: string;
  /** Who typed or clicked: an ephemeral answer is visible to them only. */
  user?: string;
  /** A click: the ts of the message whose button was clicked (replace_original/delete_original act on it). */
  messageTs?: string;
}

export interface IssuedResponseUrl extends ResponseUrlContext {
  token: string;
  /** The label given to responseUrl(label), for tests to find the answers. */
  label: string;
  issuedAt: number;
  uses: number;
}

export type ResponseUrlCheck = { ok: true; url: IssuedResponseUrl } | { ok: false; status: number; error: 'used_url' | 'expired_url' | 'invalid_url' };

export class ResponseUrls {
  private readonly issued = new Map<string, IssuedResponseUrl>();
  private next = 0;

  issue(label: string, context: ResponseUrlContext, now: number): IssuedResponseUrl {
    const token = `R${String(++this.next).padStart(6, '0')}`;
    const url: IssuedResponseUrl = { ...context, token, label, issuedAt: now, uses: 0 };
    this.issued.set(token, url);
    return url;
  }

  /** Counts a use if Slack would accept it. */
  use(token: string, now: number): ResponseUrlCheck {
    const url = this.issued.get(token);
    if (!url) return { ok: false, status: 404, error: 'invalid_url' };
    if (now - url.issuedAt > RESPONSE_URL_TTL_MS) return { ok: false, status: 404, error: 'expired_url' };
    if (url.uses >= RESPONSE_URL_MAX_USES) return { ok: false, status: 404, error: 'used_url' };
    url.uses += 1;
    return { ok: true, url };
  }
}
