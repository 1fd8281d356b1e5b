import { createHmac } from 'node:crypto';

/** Requests as Slack sends them: form-encoded, signed v0 HMAC-SHA256 of `v0:<ts>:<body>` with the signing secret. */
export interface SignedRequestOptions {
  secret: string;
  /** Seconds since the epoch; default now. */
  timestamp?: number;
  /** Replace the computed signature (a forgery). */
  signature?: string;
}

export function sign(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export function slashCommandBody(fields: { text: string; userId: string; channelId: string; responseUrl: string; userName?: string }): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'T0MESHOPS',
    team_domain: 'meshops',
    channel_id: fields.channelId,
    channel_name: 'mesh',
    user_id: fields.userId,
    user_name: fields.userName ?? fields.userId.toLowerCase(),
    command: '/mesh',
    text: fields.text,
    api_app_id: 'A0MESHOPS',
    is_enterprise_install: 'false',
    response_url: fields.responseUrl,
    trigger_id: newTriggerId(),
  }).toString();
}

let triggers = 0;

/**
 * A fresh trigger_id, as Slack puts in every slash command and interaction payload. Slack's are
 * opaque; the stand-in's carry the time they were issued, so views.open can refuse one older than
 * Slack's 3 s, and it refuses any used twice.
 */
export function newTriggerId(): string {
  return `${Date.now()}.${++triggers}.meshops`;
}

/** What every interactivity payload starts with: its type, the workspace, the user, the app. */
export function interactionFrom(type: string, userId: string) {
  return {
    type,
    team: { id: 'T0MESHOPS', domain: 'meshops' },
    user: { id: userId, username: userId.toLowerCase(), name: userId.toLowerCase(), team_id: 'T0MESHOPS' },
    api_app_id: 'A0MESHOPS',
    token: 'legacy-verification-token',
  };
}

/** A block_actions payload as Slack sends it for a button click; `threadTs` when the clicked message is a thread reply. */
export function buttonClickBody(fields: { userId: string; channelId: string; actionId: string; value: string; responseUrl: string; messageTs: string; threadTs?: string }): string {
  const thread = fields.threadTs ? { thread_ts: fields.threadTs } : {};
  const payload = {
    ...interactionFrom('block_actions', fields.userId),
    container: { type: 'message', message_ts: fields.messageTs, channel_id: fields.channelId, is_ephemeral: false, ...thread },
    trigger_id: newTriggerId(),
    channel: { id: fields.channelId, name: 'mesh' },
    message: { type: 'message', ts: fields.messageTs, text: 'approval', ...thread },
    response_url: fields.responseUrl,
    actions: [{ type: 'button', action_id: fields.actionId, block_id: 'approval', value: fields.value, text: { type: 'plain_text', text: 'Approve' }, action_ts: '1764000000.000001' }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** POSTs a body to Bolt's endpoint the way Slack does; returns status and body. */
export async function postToSlackEndpoint(url: string, body: string, opts: SignedRequestOptions): Promise<{ status: number; body: string }> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': opts.signature ?? sign(opts.secret, timestamp, body),
    },
    body,
  });
  return { status: res.status, body: await res.text() };
}
