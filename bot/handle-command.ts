import { SETUP_KEY_NAMES } from '../common/setup-keys';
import { parseMeshCommand, type MeshCommand } from '../common/mesh-command';
import { authorizeCommand, channelAllows, withPolicyApprovals, type Actor, type Decision, type RunToCancel } from './policy';
import { describeError } from './describe-error';
import { denied, ephemeral, runsReply, statusReply, usageError, type Reply } from './render/replies';
import { helpText } from '../common/command-usage';
import type { BotDeps } from './deps';

export interface CommandInput {
  text: string;
  userId: string;
  userName?: string;
  channelId: string;
}

/** `/mesh …` after the ack: parse, authorize, call Temporal through MeshClient, say what happened. */
export async function handleMeshCommand(deps: BotDeps, input: CommandInput): Promise<Reply> {
  const log = deps.logger.child({ user: input.userId, channel: input.channelId });
  const parsed = parseMeshCommand(input.text);
  if (!parsed.ok) {
    log.info({ error: parsed.error }, 'rejected /mesh text');
    return usageError(parsed.error, parsed.usage);
  }
  const command = parsed.command;
  if (command.verb === 'help') return ephemeral(helpText(SETUP_KEY_NAMES));

  const actor: Actor = { userId: input.userId, groups: await deps.groups(input.userId), channelId: input.channelId };
  const refuse = (decision: Extract<Decision, { allowed: false }>): Reply => {
    log.warn({ verb: command.verb, reason: decision.reason }, 'denied /mesh command');
    return denied(decision.reason);
  };
  // Every verb but help needs a listed channel, checked before anything asks Temporal, so an
  // unlisted channel cannot learn whether a run exists.
  const listed = channelAllows(deps.policy, actor, undefined);
  if (!listed.allowed) return refuse(listed);
  try {
    let target: RunToCancel | undefined;
    if (command.verb === 'cancel') {
      const status = await deps.mesh.status(command.run);
      target = { requester: status.requester.id, spec: status.spec };
    }
    const decision = authorizeCommand(deps.policy, actor, command, target);
    if (!decision.allowed) return refuse(decision);
    return await run(deps, command, actor, input.userName);
  } catch (err) {
    const { text, expected } = describeError(err, `${command.verb} the mesh`);
    if (expected) log.info({ verb: command.verb, reason: text }, 'refused /mesh command');
    else log.error({ verb: command.verb, err: text }, '/mesh command failed');
    return ephemeral(`:warning: ${text}`);
  }
}

async function run(deps: BotDeps, command: MeshCommand, actor: Actor, userName?: string): Promise<Reply> {
  const requester = { id: actor.userId, name: userName, groups: [...actor.groups], via: 'slack' as const, channel: actor.channelId };
  switch (command.verb) {
    case 'setup':
    case 'teardown':
    case 'verify': {
      const spec = withPolicyApprovals(command.spec, deps.policy, command.keys.includes('approvers'));
      const start = { setup: deps.mesh.startSetup, teardown: deps.mesh.teardown, verify: deps.mesh.verify }[command.verb].bind(deps.mesh);
      const started = await start(spec, requester);
      deps.logger.info({ user: actor.userId, workflowId: started.workflowId, runId: started.runId }, `started mesh ${command.verb}`);
      return ephemeral(`:rocket: Started mesh ${command.verb} of \`${spec.local.context}\` ↔ \`${spec.remote.context}\` as run \`${started.workflowId}\`. Its checklist is posted in this channel and updated as it goes.`);
    }
    case 'status': {
      const id = command.run ?? (await deps.mesh.listRuns(1))[0]?.workflowId;
      if (!id) return ephemeral('No mesh runs yet. Start one with `/mesh setup <local-context> <remote-context>`.');
      return statusReply(await deps.mesh.status(id), deps.temporalUi);
    }
    case 'runs':
      return runsReply(await deps.mesh.listRuns(10));
    case 'cancel': {
      const record = await deps.mesh.cancel(command.run, { by: { id: actor.userId, name: userName, groups: [...actor.groups] }, ...(command.rollback ? { rollback: true } : {}) });
      deps.logger.info({ user: actor.userId, workflowId: command.run, rollback: record.rollback }, 'cancel requested');
      return ephemeral(`:octagonal_sign: Cancelling \`${command.run}\`${record.rollback ? ' and rolling back what it installed' : ''}. The checklist in the channel shows when it has stopped.`);
    }
    case 'help':
      return ephemeral(helpText(SETUP_KEY_NAMES));
  }
}
