/**
 * Slack's mrkdwn as a terminal shows it: the same text a person reads in Slack, with mentions,
 * links, dates and emoji resolved, and bold and code drawn with ANSI styles when colour is on.
 */

export interface MrkdwnNames {
  /** Slack user id → display name (U… or W…). */
  users: Record<string, string>;
  /** User group id → handle (S…). */
  groups: Record<string, string>;
}

export interface Style {
  bold(text: string): string;
  code(text: string): string;
  dim(text: string): string;
  link(text: string): string;
  /** Buttons: Slack's primary (green) and danger (red) styles. */
  primary(text: string): string;
  danger(text: string): string;
}

const ansi = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`;

export const COLOUR: Style = { bold: ansi(1, 22), code: ansi(36, 39), dim: ansi(2, 22), link: ansi(4, 24), primary: ansi(32, 39), danger: ansi(31, 39) };
const same = (text: string) => text;
export const PLAIN: Style = { bold: same, code: same, dim: same, link: same, primary: same, danger: same };

/** The emoji meshops sends, as Slack draws them. */
const EMOJI: Record<string, string> = {
  white_check_mark: '✅',
  x: '❌',
  white_circle: '⚪',
  raised_hand: '✋',
  hourglass_flowing_sand: '⏳',
  fast_forward: '⏩',
  warning: '⚠️ ',
  no_entry: '⛔',
  no_entry_sign: '🚫',
  alarm_clock: '⏰',
  octagonal_sign: '🛑',
  rocket: '🚀',
  lock: '🔒',
};

function unescape(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** `<…>` controls: user and group mentions, dates (their fallback text), links. */
function control(inner: string, names: MrkdwnNames, style: Style): string {
  const [target, label] = splitOnce(inner, '|');
  if (target.startsWith('@')) return style.bold(`@${names.users[target.slice(1)] ?? target.slice(1)}`);
  if (target.startsWith('!subteam^')) return style.bold(`@${names.groups[target.slice('!subteam^'.length)] ?? label ?? target}`);
  if (target.startsWith('!date^')) return label ?? target;
  if (target.startsWith('#')) return `#${label ?? target.slice(1)}`;
  return label ? `${style.link(unescape(label))} (${unescape(target)})` : style.link(unescape(target));
}

function splitOnce(text: string, sep: string): [string, string | undefined] {
  const at = text.indexOf(sep);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function inline(text: string, names: MrkdwnNames, style: Style): string {
  return text
    .split(/(`[^`\n]+`)/)
    .map((part) => {
      if (/^`[^`\n]+`$/.test(part)) return style.code(unescape(part.slice(1, -1)));
      return unescape(
        part
          .replace(/<([^<>]+)>/g, (_m, inner: string) => control(inner, names, style))
          .replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s.,:;!?)])/g, (_m, pre: string, body: string) => `${pre}${style.bold(body)}`)
          .replace(/:([a-z_]+):/g, (m, name: string) => EMOJI[name] ?? m),
      );
    })
    .join('');
}

/** Renders one mrkdwn text as terminal lines; a ``` block keeps its layout, indented. */
export function renderMrkdwn(text: string, names: MrkdwnNames, style: Style): string[] {
  const lines: string[] = [];
  text.split(/```/).forEach((part, i) => {
    if (i % 2 === 1) {
      for (const line of unescape(part).replace(/^\n|\n$/g, '').split('\n')) lines.push(`  ${style.code(line)}`);
      return;
    }
    const trimmed = part.replace(/^\n|\n$/g, '');
    if (trimmed === '' && i > 0) return;
    for (const line of trimmed.split('\n')) lines.push(line.startsWith('> ') ? style.dim(`│ ${inline(line.slice(2), names, style)}`) : inline(line, names, style));
  });
  return lines;
}
