import type { ReadStream } from 'node:tty';

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** How many terminal rows a line takes once the terminal wraps it. */
function rowsOf(line: string, columns: number): number {
  const width = [...line.replace(ANSI, '')].length;
  return Math.max(1, Math.ceil(width / columns));
}

/**
 * The demo's terminal. On a TTY the channel is drawn live on the alternate screen, its newest lines
 * at the bottom as Slack keeps them, with a status line under it; when the run ends the final view
 * is printed to the normal screen, where it stays. Without a TTY nothing is redrawn: the view is
 * printed at the moments that matter.
 */
export class Screen {
  readonly live: boolean;
  private pending: NodeJS.Timeout | undefined;
  private last: { lines: string[]; footer: string } | undefined;
  private interrupt: (() => void) | undefined;
  private entered = false;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly input: NodeJS.ReadStream,
  ) {
    this.live = out.isTTY === true;
  }

  onInterrupt(handler: () => void): void {
    this.interrupt = handler;
  }

  /** Redraws the view (at most every 100 ms). */
  draw(lines: string[], footer: string): void {
    if (!this.live) return;
    this.last = { lines, footer };
    this.pending ??= setTimeout(() => {
      this.pending = undefined;
      this.paint();
    }, 100);
  }

  private paint(): void {
    if (!this.last) return;
    if (!this.entered) {
      this.out.write('\x1b[?1049h');
      this.entered = true;
    }
    const rows = (this.out.rows ?? 40) - 2;
    const columns = this.out.columns ?? 100;
    const shown: string[] = [];
    let used = 0;
    for (let i = this.last.lines.length - 1; i >= 0; i--) {
      used += rowsOf(this.last.lines[i], columns);
      if (used > rows) break;
      shown.unshift(this.last.lines[i]);
    }
    this.out.write(`\x1b[H\x1b[2J${shown.join('\n')}\n\n\x1b[7m ${this.last.footer.slice(0, columns - 2)} \x1b[27m`);
  }

  print(lines: string[]): void {
    this.out.write(`${lines.join('\n')}\n`);
  }

  /** Leaves the live view and prints the final one where it stays. */
  finish(lines: string[]): void {
    this.leave();
    this.print(lines);
  }

  /** Waits for one of `keys`; Ctrl-C calls the interrupt handler. */
  key(keys: string[]): Promise<string> {
    const input = this.input as ReadStream;
    input.setRawMode?.(true);
    input.resume();
    return new Promise((resolve) => {
      const onData = (data: Buffer) => {
        const key = data.toString('utf8').toLowerCase();
        if (key === '\u0003') return this.interrupt?.();
        if (!keys.includes(key)) return;
        input.off('data', onData);
        input.setRawMode?.(false);
        input.pause();
        resolve(key);
      };
      input.on('data', onData);
    });
  }

  private leave(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    if (this.entered) this.out.write('\x1b[?1049l');
    this.entered = false;
  }

  close(): void {
    this.leave();
    (this.input as ReadStream).setRawMode?.(false);
    this.input.pause();
  }
}
