import { readFileSync } from 'node:fs';
import { GuardedProcess } from '../../../worker/guarded-process';

export { groupMembers } from '../../../worker/guarded-process';

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

/**
 * A long-running child whose output goes to its own log file, under the worker's watchdog
 * (worker/guarded-process.ts): when the harness dies without stopping it (crash, SIGKILL), the
 * program is ended, with SIGKILL 5 s after SIGTERM for one that does not act on SIGTERM yet (istiod
 * does not while it waits for its caches to sync).
 */
export class ManagedProcess extends GuardedProcess {
  constructor(readonly spec: ProcessSpec) {
    super(spec.name, spec.command, spec.args, spec.logFile, { cwd: spec.cwd, env: spec.env });
  }

  /** Rejects when the process exits; race it against a readiness check. */
  async failOnExit(): Promise<never> {
    const code = await this.exited;
    throw new Error(`${this.spec.name} exited (code ${code}) during start; see its log ${this.spec.logFile}`);
  }
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
