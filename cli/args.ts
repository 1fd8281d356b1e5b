import { parseArgs } from 'node:util';
import { z } from 'zod';
import { StepId } from '../common/steps';
import { Duration } from '../common/approval-policy';
import { describeIssues } from '../common/errors';
import { parseMeshCommand, type MeshCommand } from '../common/mesh-command';
import type { MeshSpec } from '../common/mesh-spec';

/** A CLI invocation: the /mesh verbs, plus the ones Slack does with buttons and settings. */
export type CliCommand =
  | { kind: 'mesh'; command: MeshCommand; wait: boolean }
  | { kind: 'decide'; decision: 'approve' | 'reject'; run: string; step: StepId; reason?: string }
  | { kind: 'schedule'; spec: MeshSpec; every: string }
  | { kind: 'watch'; run: string };

export interface CliArgs {
  command: CliCommand;
  as?: string;
  groups: string[];
  json: boolean;
}

export const CLI_USAGE = `Usage: meshops <command> [--as user] [--groups a,b] [--json]
  setup <local-context> <remote-context> [key=value…] [--wait]
  status [run]                 watch <run>
  cancel <run> [--rollback]    runs
  teardown <local> <remote>    verify <local> <remote>
  approve <run> <step> [--reason text]    reject <run> <step> [--reason text]
  schedule-verify <local-context> <remote-context> <every, e.g. 15m> [key=value…]
  help`;

const Decide = z.tuple([z.string().min(1), StepId]);
const Every = Duration;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses argv after the script name; throws UsageError with what is wrong and the right form. */
export function parseCliArgs(argv: string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        as: { type: 'string' },
        groups: { type: 'string' },
        json: { type: 'boolean', default: false },
        wait: { type: 'boolean', default: false },
        rollback: { type: 'boolean', default: false },
        reason: { type: 'string' },
      },
    });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${CLI_USAGE}`);
  }
  const { values, positionals } = parsed;
  const [verb = 'help', ...rest] = positionals;
  const common = { as: values.as, groups: values.groups?.split(',').filter(Boolean) ?? [], json: values.json };
  const check = <T>(schema: z.ZodType<T>, what: string): T => {
    const result = schema.safeParse(rest);
    if (!result.success) throw new UsageError(`${what}: ${describeIssues(result.error)}\n${CLI_USAGE}`);
    return result.data;
  };

  if (verb === 'approve' || verb === 'reject') {
    const [run, step] = check(Decide, `${verb} <run> <step>`);
    return { ...common, command: { kind: 'decide', decision: verb, run, step, reason: values.reason } };
  }
  if (verb === 'schedule-verify') {
    // The verify words with the interval after the contexts: the schedule re-checks the mesh as it was set up.
    const [local, remote, every, ...keys] = rest;
    const interval = Every.safeParse(every);
    if (!interval.success) throw new UsageError(`schedule-verify <local> <remote> <every>: ${describeIssues(interval.error)}\n${CLI_USAGE}`);
    const result = parseMeshCommand(['verify', local ?? '', remote ?? '', ...keys].join(' '));
    if (!result.ok) throw new UsageError(`${result.error}\n${CLI_USAGE}`);
    if (result.command.verb !== 'verify') throw new UsageError(CLI_USAGE);
    return { ...common, command: { kind: 'schedule', spec: result.command.spec, every: interval.data } };
  }
  if (verb === 'watch') {
    const [run] = check(z.tuple([z.string().min(1)]), 'watch <run>');
    return { ...common, command: { kind: 'watch', run } };
  }
  const text = [verb, ...rest, ...(values.rollback ? ['--rollback'] : [])].join(' ');
  const result = parseMeshCommand(text);
  if (!result.ok) throw new UsageError(`${result.error}\nUsage: ${result.usage.replaceAll('/mesh', 'meshops')}`);
  return { ...common, command: { kind: 'mesh', command: result.command, wait: values.wait } };
}
