import type { Ephemeral, SlackApiStandin, StoredMessage } from '../test/harness/slack-api-standin';
import { renderMrkdwn, type MrkdwnNames, type Style } from './mrkdwn';

interface Block {
  type: string;
  text?: { type: string; text: string };
  elements?: { type: string; text?: string | { text: string }; style?: string }[];
}

type Entry = { kind: 'typed'; user: string; text: string; at: Date } | { kind: 'clicked'; user: string; text: string; at: Date } | { kind: 'message'; key: string } | { kind: 'ephemeral'; index: number };

export interface ViewOptions {
  channel: string;
  channelName: string;
  botName: string;
  names: MrkdwnNames;
  style: Style;
}

function button(style: Style, text: string, kind: string | undefined): string {
  const face = `[ ${text} ]`;
  return kind === 'primary' ? style.primary(face) : kind === 'danger' ? style.danger(face) : face;
}

/** One message's blocks as terminal lines, the way Slack lays them out. */
export function renderBlocks(blocks: unknown[] | undefined, fallback: string | undefined, opts: Pick<ViewOptions, 'names' | 'style'>): string[] {
  const { names, style } = opts;
  if (!blocks?.length) return renderMrkdwn(fallback ?? '', names, style);
  const lines: string[] = [];
  for (const block of blocks as Block[]) {
    switch (block.type) {
      case 'header':
        lines.push(style.bold(block.text?.text ?? ''));
        break;
      case 'section':
        lines.push(...renderMrkdwn(block.text?.text ?? '', names, style));
        break;
      case 'context':
        lines.push(style.dim((block.elements ?? []).map((e) => renderMrkdwn(typeof e.text === 'string' ? e.text : '', names, style).join(' ')).join(' · ')));
        break;
      case 'actions':
        lines.push((block.elements ?? []).map((e) => button(style, typeof e.text === 'object' ? e.text.text : '', e.style)).join('  '));
        break;
      case 'divider':
        lines.push(style.dim('─'.repeat(40)));
        break;
      default:
        lines.push(style.dim(`(${block.type} block)`));
    }
  }
  return lines;
}

const clock = (at: Date) => at.toTimeString().slice(0, 8);

/**
 * A Slack channel as a person sees it in the terminal: what was typed, the bot's messages in the
 * order they were posted (edited in place), each message's thread under it, and the replies only
 * the person who typed or clicked can see.
 */
export class ChannelView {
  private readonly entries: Entry[] = [];
  private readonly seen = new Map<string, Date>();
  private ephemeralsSeen = 0;

  constructor(
    private readonly standin: SlackApiStandin,
    private readonly opts: ViewOptions,
  ) {}

  /** What a person typed (a message of theirs) or clicked (seen by nobody else in Slack: shown as a note). */
  typed(user: string, text: string, kind: 'typed' | 'clicked' = 'typed'): void {
    this.entries.push({ kind, user, text, at: new Date() });
  }

  /** Takes in what the stand-in received since the last call. */
  private sync(): void {
    for (const m of this.standin.parents(this.opts.channel)) {
      const key = `${m.channel}/${m.ts}`;
      if (!this.seen.has(key)) this.entries.push({ kind: 'message', key });
    }
    for (const m of this.standin.messages.values()) if (!this.seen.has(`${m.channel}/${m.ts}`)) this.seen.set(`${m.channel}/${m.ts}`, new Date());
    for (; this.ephemeralsSeen < this.standin.ephemerals.length; this.ephemeralsSeen++) this.entries.push({ kind: 'ephemeral', index: this.ephemeralsSeen });
  }

  /** The whole channel as lines. */
  render(): string[] {
    this.sync();
    const { style, botName, channelName } = this.opts;
    const lines = [style.bold(`# ${channelName}`), style.dim('─'.repeat(72))];
    const author = (m: StoredMessage) => `${style.bold(botName)} ${style.dim(`APP  ${clock(this.seen.get(`${m.channel}/${m.ts}`) ?? new Date())}${m.updates > 0 ? '  (edited)' : ''}`)}`;
    for (const entry of this.entries) {
      lines.push('');
      if (entry.kind === 'typed') {
        lines.push(`${style.bold(this.name(entry.user))} ${style.dim(clock(entry.at))}`, `  ${entry.text}`);
      } else if (entry.kind === 'clicked') {
        lines.push(style.dim(`  ↳ ${this.name(entry.user)} ${entry.text} (${clock(entry.at)})`));
      } else if (entry.kind === 'ephemeral') {
        const e: Ephemeral = this.standin.ephemerals[entry.index];
        lines.push(`${style.bold(botName)} ${style.dim(`APP  Only visible to ${this.ephemeralFor(e)}${e.thread_ts ? ' (in the thread)' : ''}`)}`);
        lines.push(...renderBlocks(e.blocks, e.text, this.opts).map((l) => `  ${l}`));
      } else {
        const message = this.standin.messages.get(entry.key)!;
        lines.push(author(message), ...renderBlocks(message.blocks, message.text, this.opts).map((l) => `  ${l}`));
        const thread = this.standin.thread(message.channel, message.ts);
        if (thread.length > 0) lines.push(style.dim(`  💬 ${thread.length} ${thread.length === 1 ? 'reply' : 'replies'}`));
        for (const reply of thread) {
          lines.push(`  │ ${author(reply)}`);
          lines.push(...renderBlocks(reply.blocks, reply.text, this.opts).map((l) => `  │   ${l}`));
        }
      }
    }
    return lines;
  }

  private name(user: string): string {
    return this.opts.names.users[user] ?? user;
  }

  /** Who a private answer went to: the stand-in records the one person who sees it (who typed or clicked, for a response_url). */
  private ephemeralFor(e: Ephemeral): string {
    const user = e.user;
    return user ? this.name(user) : 'you';
  }
}
