import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';

/**
 * Runs the program under a bash watchdog in a new process group: when the harness process dies
 * without stopping it (crash, SIGKILL), the watchdog's stdin closes and it ends the program,
 * with SIGKILL 5 s after SIGTERM for a program that does not act on SIGTERM yet (istiod does not
 * while it waits for its caches to sync).
 */
const watchdog = [
  'exec 3<&0',
  '"$@" </dev/null &',
  'child=$!',
  '{ read -r _ <&3; kill -TERM "$child" 2>/dev/null; sleep 5; kill -KILL "$child" 2>/dev/null; } &',
  'trap \'kill -TERM "$child" 2>/dev/null\' TERM INT',
  'wait "$child"; rc=$?',
  'wait "$child" 2>/dev/null',
  'exit $rc',
].join('\n');

export interface ProcessSpec {
  /** Short name for messages, e.g. "remote kube-apiserver". */
  name: string;
  command: string;
  args: string[];
  logFile: string;
  /** Working directory (default: the harness's). */
  cwd?: string;
  /** The program's whole environment (default: the harness's). */
  env?: NodeJS.ProcessEnv;
}

/** A long-running child whose output goes to its own log file. */
export class ManagedProcess {
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private exitCode: number | null | undefined;

  constructor(readonly spec: ProcessSpec) {
    const log = openSync(spec.logFile, 'a');
    this.child = spawn('bash', ['-c', watchdog, spec.name, spec.command, ...spec.args], {
      detached: true,
      stdio: ['pipe', log, log],
      cwd: spec.cwd,
      env: spec.env ? { PATH: process.env.PATH, ...spec.env } : undefined,
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

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.spec.name} did not start`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Rejects when the process exits; race it against a readiness check. */
  async failOnExit(): Promise<never> {
    const code = await this.exited;
    throw new Error(`${this.spec.name} exited (code ${code}) during start; see its log ${this.spec.logFile}`);
  }

  /** SIGTERM to the whole process group, SIGKILL after the grace period; resolves when none is left. */
  async stop(graceMs = 10_000): Promise<void> {
    const pgid = this.pid;
    signalGroup(pgid, 'SIGTERM');
    this.child.stdin?.end();
    const timer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    // The watchdog has gone; anything still in the group is killed and awaited.
    for (let i = 0; groupMembers(pgid).length > 0; i++) {
      if (i === 100) {
        throw new Error(`${this.spec.name}: processes ${groupMembers(pgid).join(', ')} outlived SIGKILL`);
      }
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

/** Live (non-zombie) processes of a process group, read from /proc. */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // pid (comm) state ppid pgrp ...; comm may contain spaces, so split after the last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') members.push(Number(entry));
  }
  return members;
}

/** Resident memory of the given processes in MiB, from /proc/<pid>/status (VmRSS). */
export function rssMiB(pids: number[]): number {
  let kib = 0;
  for (const pid of pids) {
    try {
      const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      kib += match ? Number(match[1]) : 0;
    } catch {
      // exited meanwhile
    }
  }
  return Math.round(kib / 1024);
}
