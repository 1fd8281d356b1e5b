import { SETUP_KEY_NAMES } from '../common/setup-keys';
import { parseMeshCommand, type MeshCommand } from '../common/mesh-command';
import type { RunSummary } from '../client';
import type { MeshStatus } from '../common/status';
import { authorizeCommand, channelAllows, channelContexts, channelMaySee, channelPairs, withPolicyApprovals, type Actor, type Decision, type RunToCancel } from './policy';
import { describeError } from './describe-error';
import { denied, ephemeral, runsReply, startedReply, statusReply, usageError, type Reply } from './render/replies';
import { helpText } from '../common/command-usage';
import type { BotDeps } from './deps';
import { currentRequestDeadline } from './temporal-deadline';

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
    // A cancel or status naming a run: read it first, so its contexts can be checked.
    const named = command.verb === 'cancel' || command.verb === 'status' ? command.run : undefined;
    const status = named ? await deps.mesh.status(named) : undefined;
    const target: RunToCancel | undefined = status && { requester: status.requester.id, spec: status.spec };
    const decision = authorizeCommand(deps.policy, actor, command, target);
    if (!decision.allowed) return refuse(decision);
    if ((command.verb === 'setup' || command.verb === 'teardown' || command.verb === 'verify') && deps.channels) {
      // A run posts its message, thread and approval buttons here: refuse one nobody could follow.
      const access = await deps.channels(input.channelId);
      if (!access.ok) {
        log.warn({ verb: command.verb, reason: access.kind }, access.kind === 'unknown' ? 'could not check the channel; nothing started' : 'refused /mesh command: meshops cannot run in this channel');
        return ephemeral(`${access.kind === 'unknown' ? ':warning:' : ':no_entry_sign:'} ${access.text}`);
      }
    }
    return await run(deps, command, actor, input.userName, status);
  } catch (err) {
    const { text, expected } = describeError(err, `${command.verb} the mesh`);
    if (expected) log.info({ verb: command.verb, reason: text }, 'refused /mesh command');
    else log.error({ verb: command.verb, err: text }, '/mesh command failed');
    return ephemeral(`:warning: ${text}`);
  }
}

async function run(deps: BotDeps, command: MeshCommand, actor: Actor, userName: string | undefined, named: MeshStatus | undefined): Promise<Reply> {
  const requester = { id: actor.userId, name: userName, groups: [...actor.groups], via: 'slack' as const, channel: actor.channelId };
  switch (command.verb) {
    case 'setup':
    case 'teardown':
    case 'verify': {
      const spec = withPolicyApprovals(command.spec, deps.policy, command.keys.includes('approvers'));
      const start = { setup: deps.mesh.startSetup, teardown: deps.mesh.teardown, verify: deps.mesh.verify }[command.verb].bind(deps.mesh);
      const started = await start(spec, requester);
      deps.logger.info({ user: actor.userId, workflowId: started.workflowId, runId: started.runId }, `started mesh ${command.verb}`);
      // Not when the answer is the ack itself (Lambda: a request deadline is set): no time to wait there.
      const permalinks = currentRequestDeadline() === undefined ? deps.permalinks : undefined;
      const link = await permalinks?.find(actor.channelId, started);
      return startedReply(command.verb, spec, started.workflowId, link);
    }
    case 'status': {
      if (named) return statusReply(named, deps.temporalUi);
      // No run named: the newest run this channel may see.
      const id = (await visibleRuns(deps, actor.channelId, 1))[0]?.workflowId;
      if (!id) return ephemeral('No mesh runs of the contexts this channel may use yet. Start one with `/mesh setup <local-context> <remote-context>`.');
      return statusReply(await deps.mesh.status(id), deps.temporalUi);
    }
    case 'runs':
      return runsReply(await visibleRuns(deps, actor.channelId, 10));
    case 'cancel': {
      const record = await deps.mesh.cancel(command.run, { by: { id: actor.userId, name: userName, groups: [...actor.groups] }, ...(command.rollback ? { rollback: true } : {}) });
      deps.logger.info({ user: actor.userId, workflowId: command.run, rollback: record.rollback }, 'cancel requested');
      return ephemeral(`:octagonal_sign: Cancelling \`${command.run}\`${record.rollback ? ' and rolling back what it installed' : ''}. The checklist in the channel shows when it has stopped.`);
    }
    case 'help':
      return ephemeral(helpText(SETUP_KEY_NAMES));
  }
}

/**
 * The newest runs this channel may see: those of contexts it may use (either order). A channel
 * limited to some contexts asks Temporal once for all its pairs (the visibility query filters by
 * MeshPair), so its newest runs are found however many other runs there are; every run is then
 * checked again, and runs whose contexts are unknown are hidden.
 */
async function visibleRuns(deps: BotDeps, channelId: string, limit: number): Promise<RunSummary[]> {
  const pairs = channelPairs(channelContexts(deps.policy, channelId) ?? []);
  if (pairs?.length === 0) return [];
  // A few more than shown from an unfiltered list, as runs of unknown contexts are dropped from it.
  const found = pairs ? await deps.mesh.listRuns(limit, { pairs }) : await deps.mesh.listRuns(limit + 20);
  return found.filter((r) => channelMaySee(deps.policy, channelId, r)).slice(0, limit);
}
