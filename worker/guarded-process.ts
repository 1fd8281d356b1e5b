import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** argv[0] of the watchdog shell, so a later process can recognise a guarded program and its owner. */
export const GUARD_NAME = 'meshops-guard';

/**
 * Runs "$@" under a bash watchdog. Its stdin is a pipe from the owner (this Node process): when
 * the owner dies without stopping it (crash, SIGKILL), the kernel closes the pipe, `read` returns,
 * and the watchdog ends the program, with SIGKILL 5 s after SIGTERM. `$1` is the owner's pid, for
 * the record only (processRecord reads it back).
 */
const watchdog = [
  'shift',
  'exec 3<&0',
  '"$@" </dev/null &',
  'child=$!',
  '{ read -r _ <&3; kill -TERM "$child" 2>/dev/null; sleep 5; kill -KILL "$child" 2>/dev/null; } &',
  'trap \'kill -TERM "$child" 2>/dev/null\' TERM INT',
  'wait "$child"; rc=$?',
  'wait "$child" 2>/dev/null',
  'exit $rc',
].join('\n');

export interface GuardedOptions {
  /** Working directory (default: this process's). */
  cwd?: string;
  /** The program's whole environment, PATH added (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

/**
 * A program that cannot outlive this process: it runs in its own process group (a Ctrl-C at the
 * terminal reaches only the owner, which stops it when it is done with it) under the watchdog above.
 */
export class GuardedProcess {
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private exitCode: number | null | undefined;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    readonly logFile: string,
    options: GuardedOptions = {},
  ) {
    const log = openSync(logFile, 'a');
    this.child = spawn('bash', ['-c', watchdog, GUARD_NAME, String(process.pid), command, ...args], {
      detached: true,
      stdio: ['pipe', log, log],
      cwd: options.cwd,
      env: options.env ? { PATH: process.env.PATH, ...options.env } : undefined,
    });
    closeSync(log);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? null : 0);
        resolve(this.exitCode);
      });
      this.child.once('error', () => resolve(null));
    });
  }

  /** The watchdog's pid, which is also the process group's id. */
  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} did not start`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** SIGTERM to the whole group, SIGKILL after the grace period; resolves when none of it is left. */
  async stop(graceMs = 10_000): Promise<void> {
    const pgid = this.pid;
    signalGroup(pgid, 'SIGTERM');
    this.child.stdin?.end();
    const timer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    for (let i = 0; groupMembers(pgid).length > 0; i++) {
      if (i === 100) throw new Error(`${this.name}: processes ${groupMembers(pgid).join(', ')} outlived SIGKILL`);
      signalGroup(pgid, i < 30 ? 'SIGTERM' : 'SIGKILL');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

export interface ProcessRecord {
  pid: number;
  ppid: number;
  pgrp: number;
  argv: string[];
}

/** What /proc says about a live (non-zombie) process; undefined when it is gone or unreadable. */
export function processRecord(pid: number): ProcessRecord | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid pgrp ...; comm may contain spaces, so split after the last ')'.
    const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z') return undefined;
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return { pid, ppid: Number(ppid), pgrp: Number(pgrp), argv };
  } catch {
    return undefined;
  }
}

/** Live processes of a process group. */
export function groupMembers(pgid: number): number[] {
  return allPids().filter((pid) => processRecord(pid)?.pgrp === pgid);
}

export function allPids(): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number);
}

/** The owner pid a guarded program's watchdog was started with, when `pid` is such a watchdog. */
export function guardOwner(pid: number): number | undefined {
  const argv = processRecord(pid)?.argv ?? [];
  const at = argv.indexOf(GUARD_NAME);
  return at >= 0 && argv[0]?.endsWith('bash') ? Number(argv[at + 1]) : undefined;
}

/**
 * The pid of the process listening on TCP `port` (IPv4 or IPv6), from /proc/net and the processes'
 * file descriptors; undefined when nothing listens or the holder is not ours to read (another user).
 */
export function listenerOf(port: number): { listening: boolean; pid?: number } {
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // sl local_address rem_address st ... inode (field 9); st 0A is LISTEN
      if (f.length > 9 && f[1].endsWith(hexPort) && f[3] === '0A') inodes.add(f[9]);
    }
  }
  if (inodes.size === 0) return { listening: false };
  for (const pid of allPids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && inodes.has(m[1])) return { listening: true, pid };
    }
  }
  return { listening: true };
}

