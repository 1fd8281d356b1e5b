import { TERMINAL_PHASES, type MeshStatus, type Requester } from '../common/status';
import type { MeshClient } from '../client';
import { SETUP_KEY_NAMES } from '../common/setup-keys';
import { CLI_USAGE, type CliArgs } from './args';
import { renderRuns, renderStatus } from './render-status';

export interface CliIo {
  print(text: string): void;
  sleep(ms: number): Promise<void>;
}

export function cliHelp(): string {
  return `${CLI_USAGE}\nKeys for setup, teardown and verify: ${SETUP_KEY_NAMES.join(', ')}`;
}

/** Follows a run (one run of the id, when `runId` is given) until it ends, printing the checklist each time it changes. */
async function follow(mesh: MeshClient, run: string, io: CliIo, json: boolean, runId?: string): Promise<MeshStatus> {
  let last = '';
  for (;;) {
    const status = await mesh.status(run, runId);
    const text = json ? JSON.stringify(status) : renderStatus(status);
    if (text !== last) io.print(json ? text : `\n${text}`);
    last = text;
    if (TERMINAL_PHASES.includes(status.phase)) return status;
    await io.sleep(1000);
  }
}

/**
 * Runs one CLI command; returns the process exit code (0 ok, 1 the run did not end done: a verify
 * `skipped` because a setup or teardown of the pair was running did not verify anything either).
 */
export async function runCommand(mesh: MeshClient, args: CliArgs, requester: Requester, io: CliIo): Promise<number> {
  const { command, json } = args;
  const out = (value: unknown, text: string) => io.print(json ? JSON.stringify(value) : text);
  switch (command.kind) {
    case 'decide': {
      const record = await mesh.approve(command.run, {
        step: command.step,
        decision: command.decision,
        approver: { id: requester.id, name: requester.name, groups: requester.groups },
        reason: command.reason,
      });
      out(record, `${command.step}: ${record.decision}d by ${record.by.id} at ${record.at}`);
      return 0;
    }
    case 'schedule': {
      const { scheduleId } = await mesh.createVerifySchedule(command.spec, command.every, requester);
      out({ scheduleId }, `Schedule ${scheduleId} re-verifies the mesh every ${command.every}.`);
      return 0;
    }
    case 'watch': {
      const status = await follow(mesh, command.run, io, json);
      return status.phase === 'done' ? 0 : 1;
    }
    case 'mesh':
      break;
  }
  const mc = command.command;
  switch (mc.verb) {
    case 'help':
      io.print(cliHelp());
      return 0;
    case 'runs': {
      const runs = await mesh.listRuns(20);
      out(runs, renderRuns(runs));
      return 0;
    }
    case 'status': {
      const run = mc.run ?? (await mesh.listRuns(1))[0]?.workflowId;
      if (!run) {
        io.print('No mesh runs yet. Start one with `meshops setup <local-context> <remote-context>`.');
        return 1;
      }
      const status = await mesh.status(run);
      out(status, renderStatus(status));
      return 0;
    }
    case 'cancel': {
      const record = await mesh.cancel(mc.run, { by: { id: requester.id, name: requester.name, groups: requester.groups }, ...(mc.rollback ? { rollback: true } : {}) });
      out({ cancelled: mc.run, ...record }, `Cancel requested for ${mc.run}${record.rollback ? ' with rollback' : ''}. Follow it with \`meshops watch ${mc.run}\`.`);
      return 0;
    }
    case 'setup':
    case 'teardown':
    case 'verify': {
      const start = { setup: mesh.startSetup, teardown: mesh.teardown, verify: mesh.verify }[mc.verb].bind(mesh);
      const { workflowId, runId } = await start(mc.spec, requester);
      out({ workflowId, runId }, `Started ${workflowId}. Follow it with \`meshops watch ${workflowId}\`.`);
      if (!command.wait) return 0;
      // The run just started, not a later run of the same pair's id.
      const status = await follow(mesh, workflowId, io, json, runId);
      return status.phase === 'done' ? 0 : 1;
    }
  }
}
