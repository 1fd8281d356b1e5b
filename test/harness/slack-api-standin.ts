import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { parse as parseQuery } from 'node:querystring';

/**
 * A small local stand-in for Slack's Web API (Slack itself cannot be reached from here). It
 * records every call, keeps the messages it was asked to post and update, and answers the methods
 * meshops uses the way Slack does. WebClient is pointed at it with `slackApiUrl: standin.apiUrl`;
 * slash-command payloads carry `response_url: standin.responseUrl()`, so Bolt's respond() lands
 * here too.
 */

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  token?: string;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: unknown[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  /** How many times chat.update changed it. */
  updates: number;
}

export interface Ephemeral {
  channel?: string;
  user?: string;
  text?: string;
  blocks?: unknown[];
  /** chat.postEphemeral, or the response_url of a command or click. */
  via: 'chat.postEphemeral' | 'response_url';
  /** The id given to responseUrl(id), for answers through a response_url. */
  responseUrlId?: string;
  response_type?: string;
}

export interface StandinUserGroup {
  id: string;
  handle: string;
  users: string[];
}

export interface StandinOptions {
  team?: string;
  botUserId?: string;
  botId?: string;
  usergroups?: StandinUserGroup[];
}

const JSON_FIELDS = ['blocks', 'attachments', 'metadata'];

export class SlackApiStandin {
  readonly calls: RecordedCall[] = [];
  readonly messages = new Map<string, StoredMessage>();
  readonly ephemerals: Ephemeral[] = [];
  /** Socket Mode: what the app sent back over the WebSocket (acks with their envelope_id). */
  readonly socketMessages: Record<string, unknown>[] = [];
  private readonly sockets = new Set<Duplex>();
  private envelopes = 0;
  /** Method → Slack error code returned by the next call(s) of it. */
  private readonly failures = new Map<string, string[]>();
  private clock = 0;
  /** Emits 'change' after a message is posted or updated and after an ephemeral answer (for a live view). */
  readonly changes = new EventEmitter();

  private constructor(
    private readonly server: Server,
    readonly options: Required<StandinOptions>,
  ) {}

  static async start(options: StandinOptions = {}): Promise<SlackApiStandin> {
    const server = createServer();
    const standin = new SlackApiStandin(server, {
      team: options.team ?? 'T0MESHOPS',
      botUserId: options.botUserId ?? 'UBOTMESH',
      botId: options.botId ?? 'BBOTMESH',
      usergroups: options.usergroups ?? [],
    });
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

  /** A response_url to put into a command or action payload. */
  responseUrl(id = 'r'): string {
    return `${this.base}/respond/${encodeURIComponent(id)}`;
  }

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

  /** The next `times` calls of `method` answer {ok:false, error}. */
  failNext(method: string, error: string, times = 1): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), ...Array<string>(times).fill(error)]);
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

  /**
   * Just enough of RFC 6455 for Socket Mode: the handshake, Slack's hello, text frames both ways,
   * ping → pong, close. Frames from the client are masked; frames to it are not.
   */
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
    this.clock += 1;
    return `1764000000.${String(this.clock).padStart(6, '0')}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.base);
    const args = parseBody(body, req.headers['content-type']);
    const reply = (payload: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    };

    if (url.pathname.startsWith('/respond/')) {
      this.calls.push({ method: 'response_url', args });
      this.ephemerals.push({
        text: str(args.text),
        blocks: args.blocks as unknown[] | undefined,
        via: 'response_url',
        responseUrlId: decodeURIComponent(url.pathname.slice('/respond/'.length)),
        response_type: str(args.response_type),
      });
      reply({ ok: true });
      this.changes.emit('change', 'response_url');
      return;
    }
    const method = url.pathname.replace(/^\/api\//, '');
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : str(args.token);
    this.calls.push({ method, args, token });
    if (!token) return reply({ ok: false, error: 'not_authed' });
    const failure = this.failures.get(method)?.shift();
    if (failure) return reply({ ok: false, error: failure });
    reply(this.answer(method, args));
    this.changes.emit('change', method);
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    const { team, botUserId, botId, usergroups } = this.options;
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://meshops.example.slack.com/', team: 'meshops', team_id: team, user: 'meshops', user_id: botUserId, bot_id: botId };
      case 'chat.postMessage': {
        const channel = str(args.channel);
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (!args.text && !args.blocks) return { ok: false, error: 'no_text' };
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
        return { ok: true, channel, ts, message: { ...message, type: 'message', bot_id: botId } };
      }
      case 'chat.update': {
        const channel = str(args.channel) ?? '';
        const existing = this.messages.get(`${channel}/${str(args.ts)}`);
        if (!existing) return { ok: false, error: 'message_not_found' };
        existing.text = str(args.text) ?? existing.text;
        existing.blocks = (args.blocks as unknown[] | undefined) ?? existing.blocks;
        existing.updates += 1;
        return { ok: true, channel, ts: existing.ts, text: existing.text };
      }
      case 'chat.postEphemeral':
        this.ephemerals.push({ channel: str(args.channel), user: str(args.user), text: str(args.text), blocks: args.blocks as unknown[] | undefined, via: 'chat.postEphemeral' });
        return { ok: true, message_ts: this.nextTs() };
      case 'apps.connections.open':
        return { ok: true, url: `${this.base.replace('http:', 'ws:')}/socket-mode` };
      case 'chat.getPermalink':
        return { ok: true, channel: args.channel, permalink: `https://meshops.example.slack.com/archives/${str(args.channel)}/p${str(args.message_ts)?.replace('.', '')}` };
      case 'conversations.history': {
        const channel = str(args.channel);
        const found = [...this.messages.values()].filter((m) => m.channel === channel && !m.thread_ts).reverse();
        return { ok: true, messages: found.map((m) => ({ type: 'message', ...m })), has_more: false };
      }
      case 'conversations.replies': {
        const channel = str(args.channel);
        const root = this.messages.get(`${channel}/${str(args.ts)}`);
        if (!root) return { ok: false, error: 'thread_not_found' };
        return { ok: true, messages: [root, ...this.thread(channel!, root.ts)].map((m) => ({ type: 'message', ...m })), has_more: false };
      }
      case 'usergroups.list':
        return { ok: true, usergroups: usergroups.map((g) => ({ id: g.id, handle: g.handle, name: g.handle, ...(args.include_users ? { users: g.users } : {}) })) };
      case 'usergroups.users.list': {
        const group = usergroups.find((g) => g.id === str(args.usergroup));
        return group ? { ok: true, users: group.users } : { ok: false, error: 'no_such_subteam' };
      }
      case 'users.info':
        return { ok: true, user: { id: args.user, name: String(args.user).toLowerCase(), real_name: `User ${String(args.user)}` } };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

function wsFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const head = length < 126 ? Buffer.from([0x80 | opcode, length]) : Buffer.alloc(length < 65536 ? 4 : 10);
  if (length >= 126 && length < 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 126;
    head.writeUInt16BE(length, 2);
  } else if (length >= 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([head, payload]);
}

function readWsFrame(buf: Buffer): { opcode: number; payload: Buffer; size: number } | undefined {
  if (buf.length < 2) return undefined;
  const opcode = buf[0] & 0x0f;
  const masked = (buf[1] & 0x80) !== 0;
  let length = buf[1] & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buf.length < 4) return undefined;
    length = buf.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buf.length < 10) return undefined;
    length = Number(buf.readBigUInt64BE(2));
    offset = 10;
  }
  const mask = masked ? buf.subarray(offset, offset + 4) : undefined;
  if (masked) offset += 4;
  if (buf.length < offset + length) return undefined;
  const payload = Buffer.from(buf.subarray(offset, offset + length));
  if (mask) for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
  return { opcode, payload, size: offset + length };
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
