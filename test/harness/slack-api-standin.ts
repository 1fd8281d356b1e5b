import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { parse as parseQuery } from 'node:querystring';
import { messageError } from './slack/blocks';
import { ResponseUrls, type ResponseUrlContext } from './slack/response-urls';
import { checkConversationScope, checkMethodScope, manifestBotScopes } from './slack/scopes';
import { readWsFrame, wsFrame } from './slack/websocket';
import { StandinWorkspace, type ChannelSetup, type StandinChannel } from './slack/workspace';

export { manifestBotScopes } from './slack/scopes';
export type { ChannelSetup } from './slack/workspace';

/**
 * A local stand-in for Slack's Web API (Slack itself cannot be reached from here). It records
 * every call, keeps the messages it was asked to post and update, and answers the methods meshops
 * uses the way Slack's reference says Slack does, refusing what Slack refuses:
 * - tokens and scopes: no token `not_authed`, an unknown one `invalid_auth`, a method whose scope
 *   the token lacks `missing_scope` with `needed` and `provided`; the bot token's scopes are
 *   manifest.yml's `oauth_config.scopes.bot` unless a test gives others (slack/scopes.ts);
 * - conversations and membership: public and private channels and DMs with members, set up with
 *   addChannel()/invite(); `not_in_channel` and `channel_not_found` as Slack answers them
 *   (slack/workspace.ts);
 * - Block Kit and text limits: `invalid_blocks`, `msg_too_long`, `no_text` (slack/blocks.ts);
 * - rate limits: rateLimit(method) answers HTTP 429 with Retry-After; slowDown(method, ms) answers late;
 * - response_url: one per command or click, at most 5 uses within 30 minutes, ephemeral or in
 *   channel, replace_original/delete_original, thread placement (slack/response-urls.ts).
 * WebClient is pointed at it with `slackApiUrl: standin.apiUrl`; command and click payloads carry
 * `response_url: standin.responseUrl(label, {channel, user, messageTs})`, so Bolt's respond() lands here too.
 */

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  token?: string;
  /** The Slack error it was answered with, if any. */
  error?: string;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: unknown[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  /** How many times chat.update (or a response_url replace_original) changed it. */
  updates: number;
}

/** A message only one person sees: chat.postEphemeral, or an ephemeral answer through a response_url. */
export interface Ephemeral {
  channel?: string;
  /** The only person who sees it. */
  user?: string;
  text?: string;
  blocks?: unknown[];
  via: 'chat.postEphemeral' | 'response_url';
  /** The label given to responseUrl(label), for answers through a response_url. */
  responseUrlId?: string;
  response_type?: string;
  /** The thread it was shown in; unset: at the channel's top level. */
  thread_ts?: string;
}

/** Every accepted use of a response_url, with where the answer landed and who sees it. */
export interface ResponseUrlUse {
  responseUrlId: string;
  channel?: string;
  user?: string;
  /** The clicked message, for a click's response_url. */
  messageTs?: string;
  response_type: 'ephemeral' | 'in_channel';
  replace_original: boolean;
  delete_original: boolean;
  thread_ts?: string;
  /** ephemeral: only `user` sees it; channel: a new message everyone sees (ts); replaced/deleted: the clicked message. */
  landed: 'ephemeral' | 'channel' | 'replaced' | 'deleted';
  ts?: string;
  text?: string;
  blocks?: unknown[];
}

export interface OpenedView {
  trigger_id: string;
  view: Record<string, unknown>;
  id: string;
}

export interface StandinUserGroup {
  id: string;
  handle: string;
  users: string[];
}

export interface StandinToken {
  kind: 'bot' | 'app';
  scopes: string[];
}

export interface StandinOptions {
  team?: string;
  botUserId?: string;
  botId?: string;
  usergroups?: StandinUserGroup[];
  /** The bot token (xoxb-…) the app was installed with. */
  botToken?: string;
  /** The bot token's scopes; default: manifest.yml's `oauth_config.scopes.bot`. */
  botScopes?: string[];
  /** The app-level token (xapp-…) for Socket Mode, with `connections:write`. */
  appToken?: string;
  /** Conversations of the workspace. */
  channels?: ChannelSetup[];
}

type ResolvedOptions = Required<Omit<StandinOptions, 'channels' | 'botScopes'>>;

const JSON_FIELDS = ['blocks', 'attachments', 'metadata', 'view'];
type Answer = Record<string, unknown>;

export class SlackApiStandin {
  readonly calls: RecordedCall[] = [];
  readonly messages = new Map<string, StoredMessage>();
  readonly ephemerals: Ephemeral[] = [];
  readonly responses: ResponseUrlUse[] = [];
  readonly views: OpenedView[] = [];
  private readonly exchangedTriggers = new Set<string>();
  /** Socket Mode: what the app sent back over the WebSocket (acks with their envelope_id). */
  readonly socketMessages: Record<string, unknown>[] = [];
  readonly workspace: StandinWorkspace;
  readonly tokens = new Map<string, StandinToken>();
  private readonly responseUrls = new ResponseUrls();
  private readonly sockets = new Set<Duplex>();
  private envelopes = 0;
  /** Method → Slack error code returned by the next call(s) of it. */
  private readonly failures = new Map<string, string[]>();
  /** Method → Retry-After seconds of the next call(s) answered with HTTP 429. */
  private readonly rateLimits = new Map<string, number[]>();
  /** Method → how long the next call(s) take before Slack answers, in ms. */
  private readonly delays = new Map<string, number[]>();
  private tsClock = 0;
  private clockOffsetMs = 0;
  /** Emits 'change' after a message is posted or updated and after an ephemeral answer (for a live view). */
  readonly changes = new EventEmitter();

  private constructor(
    private readonly server: Server,
    readonly options: ResolvedOptions,
    botScopes: string[],
  ) {
    this.workspace = new StandinWorkspace(options.botUserId);
    this.tokens.set(options.botToken, { kind: 'bot', scopes: botScopes });
    this.tokens.set(options.appToken, { kind: 'app', scopes: ['connections:write'] });
  }

  static async start(options: StandinOptions = {}): Promise<SlackApiStandin> {
    const server = createServer();
    const standin = new SlackApiStandin(
      server,
      {
        team: options.team ?? 'T0MESHOPS',
        botUserId: options.botUserId ?? 'UBOTMESH',
        botId: options.botId ?? 'BBOTMESH',
        usergroups: options.usergroups ?? [],
        botToken: options.botToken ?? 'xoxb-standin-bot-token',
        appToken: options.appToken ?? 'xapp-1-A0MESHOPS-1-standin',
      },
      options.botScopes ?? manifestBotScopes(),
    );
    for (const channel of options.channels ?? []) standin.addChannel(channel);
    server.on('request', (req, res) => {
      standin.handle(req, res).catch((err: unknown) => {
        res.writeHead(500).end(String(err));
      });
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex) => standin.acceptWebSocket(req, socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return standin;
  }

  private get base(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** For WebClient's slackApiUrl. */
  get apiUrl(): string {
    return `${this.base}/api/`;
  }

  get botUserId(): string {
    return this.options.botUserId;
  }

  /** The bot token's scopes. */
  get botScopes(): string[] {
    return this.tokens.get(this.options.botToken)!.scopes;
  }

  // ---- setup API for tests -------------------------------------------------------------------

  /** Creates (or replaces) a public or private channel or a DM with its members (the bot only if listed). */
  addChannel(setup: ChannelSetup): StandinChannel {
    return this.workspace.add(setup);
  }

  /** Adds people (e.g. the bot, `standin.botUserId`) to a channel, as /invite does. */
  invite(channel: string, ...users: string[]): void {
    this.workspace.invite(channel, ...users);
  }

  /** Removes someone from a channel. */
  kick(channel: string, user: string): void {
    this.workspace.kick(channel, user);
  }

  /** Another token the workspace knows (e.g. a bot token with fewer scopes). */
  addToken(token: string, spec: StandinToken): void {
    this.tokens.set(token, { kind: spec.kind, scopes: [...spec.scopes] });
  }

  /** The next `times` calls of `method` answer {ok:false, error}. */
  failNext(method: string, error: string, times = 1): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), ...Array<string>(times).fill(error)]);
  }

  /** The next `times` calls of `method` answer HTTP 429 with `Retry-After: retryAfter` and {ok:false, error:'ratelimited'}. */
  rateLimit(method: string, opts: { times?: number; retryAfter?: number } = {}): void {
    const { times = 1, retryAfter = 1 } = opts;
    this.rateLimits.set(method, [...(this.rateLimits.get(method) ?? []), ...Array<number>(times).fill(retryAfter)]);
  }

  /** The next `times` calls of `method` are answered only after `ms` (Slack being slow); the answer itself is unchanged. */
  slowDown(method: string, ms: number, times = 1): void {
    this.delays.set(method, [...(this.delays.get(method) ?? []), ...Array<number>(times).fill(ms)]);
  }

  /**
   * A trigger_id is good for 3 s after Slack issued it (its payload was sent) and for one views.open
   * (views.open reference: expired_trigger_id, exchanged_trigger_id, invalid_trigger_id). The
   * stand-in reads the issue time from ids made by newTriggerId() (test/harness/slack-requests.ts).
   */
  private exchangeTrigger(triggerId: string): string | undefined {
    const issued = Number(triggerId.split('.')[0]);
    if (!/^\d+\.\d+\.meshops$/.test(triggerId) || !Number.isFinite(issued)) return 'invalid_trigger_id';
    if (this.exchangedTriggers.has(triggerId)) return 'exchanged_trigger_id';
    if (this.now() - issued > 3_000) return 'expired_trigger_id';
    this.exchangedTriggers.add(triggerId);
    return undefined;
  }

  /** Moves the stand-in's clock (response_url expiry) forward. */
  advanceClock(ms: number): void {
    this.clockOffsetMs += ms;
  }

  private now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /**
   * A fresh response_url for one command or click, as Slack puts one in each payload. `label`
   * names its answers (Ephemeral.responseUrlId); `context` is where it was typed or clicked.
   */
  responseUrl(label = 'r', context: ResponseUrlContext = {}): string {
    const issued = this.responseUrls.issue(label, context, this.now());
    return `${this.base}/respond/${issued.token}/${encodeURIComponent(label)}`;
  }

  // ---- reading what happened ---------------------------------------------------------------

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Messages in a channel that are not thread replies, oldest first. */
  parents(channel: string): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.channel === channel && !m.thread_ts);
  }

  thread(channel: string, ts: string): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.channel === channel && m.thread_ts === ts);
  }

  message(channel: string, ts: string): StoredMessage | undefined {
    return this.messages.get(`${channel}/${ts}`);
  }

  /** How many Socket Mode connections are open. */
  get socketConnections(): number {
    return this.sockets.size;
  }

  /** Sends a Socket Mode envelope (e.g. type slash_commands) to the connected app; returns its envelope_id. */
  sendEnvelope(type: string, payload: Record<string, unknown>): string {
    const envelopeId = `envelope-${++this.envelopes}`;
    const text = JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== 'events_api' });
    for (const socket of this.sockets) socket.write(wsFrame(0x1, Buffer.from(text)));
    return envelopeId;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Socket Mode: the handshake, Slack's hello, text frames both ways, ping → pong, close. */
  private acceptWebSocket(req: IncomingMessage, socket: Duplex): void {
    const key = req.headers['sec-websocket-key'];
    if (!key) return void socket.destroy();
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => this.sockets.delete(socket));
    socket.write(wsFrame(0x1, Buffer.from(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0MESHOPS' }, debug_info: { host: 'standin' } }))));
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (let frame = readWsFrame(pending); frame; frame = readWsFrame(pending)) {
        pending = pending.subarray(frame.size);
        if (frame.opcode === 0x1) this.socketMessages.push(JSON.parse(frame.payload.toString('utf8')) as Record<string, unknown>);
        else if (frame.opcode === 0x9) socket.write(wsFrame(0xa, frame.payload));
        else if (frame.opcode === 0x8) {
          socket.end(wsFrame(0x8, frame.payload));
          this.sockets.delete(socket);
        }
      }
    });
  }

  private nextTs(): string {
    this.tsClock += 1;
    return `1764000000.${String(this.tsClock).padStart(6, '0')}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.base);
    const args = parseBody(body, req.headers['content-type']);

    if (url.pathname.startsWith('/respond/')) return this.respond(url.pathname, args, res);

    const method = url.pathname.replace(/^\/api\//, '');
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : str(args.token);
    const call: RecordedCall = { method, args, token };
    this.calls.push(call);
    const delay = this.delays.get(method)?.shift();
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    const spec = token ? this.tokens.get(token) : undefined;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (spec) headers['x-oauth-scopes'] = spec.scopes.join(',');
    const reply = (payload: Answer, status = 200, extra: Record<string, string> = {}) => {
      if (payload.ok === false) call.error = String(payload.error);
      res.writeHead(status, { ...headers, ...extra }).end(JSON.stringify(payload));
    };

    if (!token) return reply({ ok: false, error: 'not_authed' });
    if (!spec) return reply({ ok: false, error: 'invalid_auth' });
    const retryAfter = this.rateLimits.get(method)?.shift();
    if (retryAfter !== undefined) return reply({ ok: false, error: 'ratelimited' }, 429, { 'retry-after': String(retryAfter) });
    const failure = this.failures.get(method)?.shift();
    if (failure) return reply({ ok: false, error: failure });
    // apps.connections.open takes only an app-level token; every other method here only a bot token
    if ((method === 'apps.connections.open') !== (spec.kind === 'app') && method !== 'auth.test') return reply({ ok: false, error: 'not_allowed_token_type' });
    const refused = checkMethodScope(method, spec.scopes);
    if (refused) return reply(refused, 200, { 'x-accepted-oauth-scopes': String(refused.needed) });
    const answer = this.answer(method, args, spec.scopes);
    reply(answer);
    if (answer.ok) this.changes.emit('change', method);
  }

  /** A response_url: Slack's hooks answer 200 "ok", or an HTTP error with a plain-text code. */
  private respond(pathname: string, args: Record<string, unknown>, res: ServerResponse): void {
    const [token, label = ''] = pathname.slice('/respond/'.length).split('/');
    const call: RecordedCall = { method: 'response_url', args };
    this.calls.push(call);
    const fail = (status: number, error: string) => {
      call.error = error;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(error);
    };
    const check = this.responseUrls.use(token, this.now());
    if (!check.ok) return fail(check.status, check.error);
    const { url } = check;
    const deleteOriginal = args.delete_original === true;
    if (!deleteOriginal) {
      const refused = messageError(args);
      if (refused) return fail(400, String(refused.error));
    }
    const use: ResponseUrlUse = {
      responseUrlId: decodeURIComponent(label),
      channel: url.channel,
      user: url.user,
      messageTs: url.messageTs,
      response_type: args.response_type === 'in_channel' ? 'in_channel' : 'ephemeral',
      replace_original: args.replace_original === true,
      delete_original: deleteOriginal,
      thread_ts: str(args.thread_ts),
      landed: 'ephemeral',
      text: str(args.text),
      blocks: args.blocks as unknown[] | undefined,
    };
    const original = url.channel && url.messageTs ? this.messages.get(`${url.channel}/${url.messageTs}`) : undefined;
    if ((use.delete_original || use.replace_original) && !original) return fail(404, 'message_not_found');
    if (use.delete_original) {
      this.messages.delete(`${original!.channel}/${original!.ts}`);
      use.landed = 'deleted';
      use.ts = original!.ts;
    } else if (use.replace_original) {
      original!.text = use.text;
      original!.blocks = use.blocks;
      original!.updates += 1;
      use.landed = 'replaced';
      use.ts = original!.ts;
    } else if (use.response_type === 'in_channel' && url.channel) {
      const ts = this.nextTs();
      this.messages.set(`${url.channel}/${ts}`, { channel: url.channel, ts, thread_ts: use.thread_ts, text: use.text, blocks: use.blocks, updates: 0 });
      use.landed = 'channel';
      use.ts = ts;
    } else {
      this.ephemerals.push({ channel: url.channel, user: url.user, text: use.text, blocks: use.blocks, via: 'response_url', responseUrlId: use.responseUrlId, response_type: use.response_type, thread_ts: use.thread_ts });
    }
    this.responses.push(use);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    this.changes.emit('change', 'response_url');
  }

  private answer(method: string, args: Record<string, unknown>, scopes: string[]): Answer {
    const { team, botUserId, botId, usergroups } = this.options;
    const ws = this.workspace;
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://meshops.example.slack.com/', team: 'meshops', team_id: team, user: 'meshops', user_id: botUserId, bot_id: botId };
      case 'chat.postMessage': {
        const access = ws.canPost(str(args.channel), scopes);
        if (!access.ok) return { ok: false, error: access.error };
        const refused = messageError(args);
        if (refused) return refused;
        const channel = access.channel.id;
        const ts = this.nextTs();
        const message: StoredMessage = {
          channel,
          ts,
          thread_ts: str(args.thread_ts),
          text: str(args.text),
          blocks: args.blocks as unknown[] | undefined,
          metadata: args.metadata as StoredMessage['metadata'],
          updates: 0,
        };
        this.messages.set(`${channel}/${ts}`, message);
        return { ok: true, channel, ts, message: { ...this.asSlackMessage(message, true) } };
      }
      case 'chat.update': {
        const access = ws.canPost(str(args.channel), scopes);
        if (!access.ok) return { ok: false, error: access.error };
        const existing = this.messages.get(`${access.channel.id}/${str(args.ts)}`);
        if (!existing) return { ok: false, error: 'message_not_found' };
        const refused = messageError({ text: args.text ?? existing.text, blocks: args.blocks });
        if (refused) return refused;
        existing.text = str(args.text) ?? existing.text;
        existing.blocks = (args.blocks as unknown[] | undefined) ?? existing.blocks;
        existing.updates += 1;
        return { ok: true, channel: existing.channel, ts: existing.ts, text: existing.text };
      }
      case 'chat.postEphemeral': {
        const access = ws.canPost(str(args.channel), scopes);
        if (!access.ok) return { ok: false, error: access.error };
        const user = str(args.user);
        if (!user || !ws.isMember(access.channel, user)) return { ok: false, error: 'user_not_in_channel' };
        const refused = messageError(args);
        if (refused) return refused;
        this.ephemerals.push({ channel: access.channel.id, user, text: str(args.text), blocks: args.blocks as unknown[] | undefined, via: 'chat.postEphemeral', thread_ts: str(args.thread_ts) });
        return { ok: true, message_ts: this.nextTs() };
      }
      case 'apps.connections.open':
        return { ok: true, url: `${this.base.replace('http:', 'ws:')}/socket-mode` };
      case 'chat.getPermalink': {
        const channel = ws.visible(str(args.channel));
        if (!channel) return { ok: false, error: 'channel_not_found' };
        const message = this.messages.get(`${channel.id}/${str(args.message_ts)}`);
        if (!message) return { ok: false, error: 'message_not_found' };
        // a thread reply's link names its thread (chat.getPermalink reference)
        const thread = message.thread_ts ? `?thread_ts=${message.thread_ts}&cid=${channel.id}` : '';
        return { ok: true, channel: channel.id, permalink: `https://meshops.example.slack.com/archives/${channel.id}/p${message.ts.replace('.', '')}${thread}` };
      }
      case 'conversations.history': {
        const access = ws.canRead(str(args.channel));
        if (!access.ok) return { ok: false, error: access.error };
        const refused = checkConversationScope(method, access.channel.type, scopes);
        if (refused) return refused;
        const limit = Number(args.limit ?? 100) || 100;
        const found = this.parents(access.channel.id).reverse().slice(0, limit);
        return { ok: true, messages: found.map((m) => this.asSlackMessage(m, args.include_all_metadata === true)), has_more: false };
      }
      case 'conversations.replies': {
        const access = ws.canRead(str(args.channel));
        if (!access.ok) return { ok: false, error: access.error };
        const refused = checkConversationScope(method, access.channel.type, scopes);
        if (refused) return refused;
        const root = this.messages.get(`${access.channel.id}/${str(args.ts)}`);
        if (!root) return { ok: false, error: 'thread_not_found' };
        const limit = Number(args.limit ?? 1000) || 1000;
        const found = [root, ...this.thread(access.channel.id, root.ts)].slice(0, limit);
        return { ok: true, messages: found.map((m) => this.asSlackMessage(m, args.include_all_metadata === true)), has_more: false };
      }
      case 'conversations.info': {
        const channel = ws.visible(str(args.channel));
        if (!channel) return { ok: false, error: 'channel_not_found' };
        const refused = checkConversationScope(method, channel.type, scopes);
        if (refused) return refused;
        return { ok: true, channel: ws.info(channel) };
      }
      case 'usergroups.list':
        return { ok: true, usergroups: usergroups.map((g) => ({ id: g.id, handle: g.handle, name: g.handle, ...(args.include_users ? { users: g.users } : {}) })) };
      case 'usergroups.users.list': {
        const group = usergroups.find((g) => g.id === str(args.usergroup));
        return group ? { ok: true, users: group.users } : { ok: false, error: 'no_such_subteam' };
      }
      case 'users.info':
        return { ok: true, user: { id: args.user, name: String(args.user).toLowerCase(), real_name: `User ${String(args.user)}` } };
      case 'views.open': {
        if (!str(args.trigger_id)) return { ok: false, error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] missing required field: trigger_id'] } };
        const trigger = this.exchangeTrigger(str(args.trigger_id)!);
        if (trigger) return { ok: false, error: trigger };
        const view = args.view as Record<string, unknown> | undefined;
        if (!view || typeof view !== 'object') return { ok: false, error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] missing required field: view'] } };
        const errors = viewErrors(view);
        if (errors.length > 0) return { ok: false, error: 'invalid_arguments', response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } };
        const opened: OpenedView = { trigger_id: str(args.trigger_id)!, view, id: `V${String(this.views.length + 1).padStart(8, '0')}` };
        this.views.push(opened);
        return { ok: true, view: { ...view, id: opened.id } };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  /** A stored message as Slack returns it; metadata only when asked for (`include_all_metadata`). */
  private asSlackMessage(m: StoredMessage, withMetadata: boolean): Record<string, unknown> {
    const { metadata, updates: _updates, channel: _channel, ...rest } = m;
    return { type: 'message', user: this.options.botUserId, bot_id: this.options.botId, ...rest, ...(withMetadata && metadata ? { metadata } : {}) };
  }
}

/** views.open: a modal needs a plain_text title (24), at most 100 blocks (views.open reference). */
function viewErrors(view: Record<string, unknown>): string[] {
  const errors: string[] = [];
  if (view.type !== 'modal') errors.push('view.type must be modal [json-pointer:/view/type]');
  const title = view.title as { type?: string; text?: string } | undefined;
  if (title?.type !== 'plain_text' || !title.text) errors.push('missing required field: title [json-pointer:/view/title]');
  else if ([...title.text].length > 24) errors.push('must be less than 25 characters [json-pointer:/view/title/text]');
  if (!Array.isArray(view.blocks)) errors.push('missing required field: blocks [json-pointer:/view/blocks]');
  else if (view.blocks.length > 100) errors.push('no more than 100 items allowed [json-pointer:/view/blocks]');
  return errors;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function parseBody(body: string, contentType: string | undefined): Record<string, unknown> {
  if (!body) return {};
  if (contentType?.includes('application/json')) return JSON.parse(body) as Record<string, unknown>;
  const form = parseQuery(body);
  const args: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(form)) {
    const text = Array.isArray(value) ? value[0] : value;
    if (text === undefined) continue;
    if (JSON_FIELDS.includes(key)) {
      try {
        args[key] = JSON.parse(text);
        continue;
      } catch {
        // Slack accepts some of these as plain strings too
      }
    }
    args[key] = key !== 'text' && text === 'true' ? true : key !== 'text' && text === 'false' ? false : text;
  }
  return args;
}
