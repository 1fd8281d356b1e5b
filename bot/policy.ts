import { z } from 'zod';
import type { MeshSpec } from '../common/mesh-spec';
import { StepId } from '../common/steps';
import type { MeshCommand } from '../common/mesh-command';

const Principals = z
  .strictObject({
    users: z
      .array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, { message: 'use a Slack user id such as U0123ABCD (profile → ⋮ → Copy member ID)' }))
      .default([])
      .describe('Slack user ids'),
    groups: z
      .array(z.string().min(1))
      .default([])
      .describe('Slack user group ids (S0123…) or handles (oncall)'),
  })
  .default({ users: [], groups: [] });

const ChannelRule = z
  .strictObject({
    channel: z.string().regex(/^[CGD][A-Z0-9]{2,}$/, { message: 'use a Slack channel id such as C0123ABCD (channel details → bottom)' }).describe('Slack channel id'),
    contexts: z
      .array(z.string().min(1))
      .min(1, { message: 'list the kubeconfig contexts this channel may use, or ["*"] for all' })
      .describe('kubeconfig contexts this channel may name; "*" for any'),
  })
  .describe('Which cluster contexts one channel may use');

/**
 * Who may do what from Slack. Checked by the bot before anything reaches Temporal; the approvers
 * and four-eyes rule are also written into each run's spec so the workflow's validator agrees.
 */
export const AuthorizationPolicy = z
  .strictObject({
    requesters: Principals.describe('Who may set up, verify and cancel their own runs; both lists empty: everyone'),
    approvers: Principals.describe('Who may approve the risky steps'),
    admins: Principals.describe('Who may tear down, cancel any run and approve'),
    channels: z.array(ChannelRule).min(1, { message: 'list at least one channel and the contexts it may use' }).describe('Channels that may use /mesh'),
    fourEyes: z.boolean().default(true).describe('The requester of a run may not approve it'),
    requiredGates: z
      .array(StepId)
      .default(['install-remote', 'link-secret'])
      .describe('Steps every run started from Slack waits at for approval; `gates=` may add gates but never remove these'),
  })
  .refine((p) => [p.approvers, p.admins].some((x) => x.users.length + x.groups.length > 0), {
    message: 'name at least one approver or admin (user or group), or nobody can approve a gate',
    path: ['approvers'],
  })
  .describe('meshops Slack authorization policy');
export type AuthorizationPolicy = z.infer<typeof AuthorizationPolicy>;
type Principals = z.infer<typeof Principals>;

/** The Slack user behind a command or click, with the user groups the bot resolved (ids and handles). */
export interface Actor {
  userId: string;
  groups: readonly string[];
  channelId: string;
}

export type Decision = { allowed: true } | { allowed: false; reason: string };
const allow: Decision = { allowed: true };
const deny = (reason: string): Decision => ({ allowed: false, reason });

function isIn(who: Principals, actor: Actor): boolean {
  return who.users.includes(actor.userId) || who.groups.some((g) => actor.groups.includes(g));
}

const isEveryone = (who: Principals) => who.users.length === 0 && who.groups.length === 0;
const isAdmin = (policy: AuthorizationPolicy, actor: Actor) => isIn(policy.admins, actor);

function describe(who: Principals): string {
  const names = [...who.users.map((u) => `<@${u}>`), ...who.groups.map((g) => (/^S[A-Z0-9]+$/.test(g) ? `<!subteam^${g}>` : `@${g}`))];
  return names.length ? names.join(', ') : 'nobody';
}

/** Is the actor's channel listed, and (given a spec) may it use both of the spec's contexts? */
export function channelAllows(policy: AuthorizationPolicy, actor: Actor, spec: MeshSpec | undefined): Decision {
  const rule = policy.channels.find((c) => c.channel === actor.channelId);
  if (!rule) return deny(`This channel may not use /mesh. Ask an admin (${describe(policy.admins)}) to add it to the policy, or use a channel that is listed there.`);
  if (!spec || rule.contexts.includes('*')) return allow;
  const refused = [spec.local.context, spec.remote.context].filter((c) => !rule.contexts.includes(c));
  if (refused.length) return deny(`This channel may not use the context${refused.length > 1 ? 's' : ''} ${refused.map((c) => `\`${c}\``).join(' and ')}; it may use ${rule.contexts.map((c) => `\`${c}\``).join(', ')}.`);
  return allow;
}

/** The contexts a listed channel may name (`['*']`: any), or undefined for a channel the policy does not list. */
export function channelContexts(policy: AuthorizationPolicy, channelId: string): readonly string[] | undefined {
  return policy.channels.find((c) => c.channel === channelId)?.contexts;
}

/**
 * May this channel see a run of `local` ↔ `remote` (status, runs)? Only when it may use both
 * contexts; a run whose contexts are unknown (no memo) is seen by no channel.
 */
export function channelMaySee(policy: AuthorizationPolicy, channelId: string, run: { local?: string; remote?: string }): boolean {
  const contexts = channelContexts(policy, channelId);
  if (!contexts || !run.local || !run.remote) return false;
  return contexts.includes('*') || (contexts.includes(run.local) && contexts.includes(run.remote));
}

/** The cluster pairs (either order) a channel limited to `contexts` may see runs of; undefined for `*` (all). */
export function channelPairs(contexts: readonly string[]): { local: string; remote: string }[] | undefined {
  if (contexts.includes('*')) return undefined;
  const unique = [...new Set(contexts)];
  return unique.flatMap((local, i) => unique.slice(i + 1).map((remote) => ({ local, remote })));
}

/** The policy's required gates that `gates=` left out (none when `gates=` was not given). */
export function droppedRequiredGates(policy: AuthorizationPolicy, spec: MeshSpec, gatesGiven: boolean): StepId[] {
  return gatesGiven ? policy.requiredGates.filter((g) => !spec.approval.gates.includes(g)) : [];
}

const code = (xs: readonly string[]) => xs.map((x) => `\`${x}\``).join(', ');

/** The run a cancel or status names, as its status reports it: who requested it and the spec (contexts) it runs. */
export interface RunToCancel {
  requester: string;
  spec: MeshSpec;
}

/** May `actor` run `command`? For a cancel or status, `run` is the run it names (read after the channel check). */
export function authorizeCommand(policy: AuthorizationPolicy, actor: Actor, command: MeshCommand, run?: RunToCancel): Decision {
  switch (command.verb) {
    case 'help':
      return allow;
    case 'runs':
      // Reading is open to everyone, but only in the channels the policy lists; the list shows
      // only runs whose contexts the channel may use (channelMaySee).
      return channelAllows(policy, actor, undefined);
    case 'status':
      // The same, and the run named must be of contexts the channel may use.
      return channelAllows(policy, actor, run?.spec);
    case 'setup':
    case 'verify': {
      if (!isAdmin(policy, actor) && !isEveryone(policy.requesters) && !isIn(policy.requesters, actor)) {
        return deny(`You may not ${command.verb} meshes: only ${describe(policy.requesters)} and admins may. Ask one of them, or an admin to add you.`);
      }
      return firstDenial(channelAllows(policy, actor, command.spec), () => gatesAllowed(policy, command));
    }
    case 'teardown':
      if (!isAdmin(policy, actor)) return deny(`Only admins (${describe(policy.admins)}) may tear a mesh down. Ask one of them.`);
      return firstDenial(channelAllows(policy, actor, command.spec), () => gatesAllowed(policy, command));
    case 'cancel': {
      // The channel first, so an unlisted channel learns nothing about the run; then the run's contexts.
      const channel = channelAllows(policy, actor, run?.spec);
      if (!channel.allowed) return channel;
      if (isAdmin(policy, actor) || (run !== undefined && run.requester === actor.userId)) return allow;
      return deny(`Only the requester of ${command.run} or an admin (${describe(policy.admins)}) may cancel it.`);
    }
  }
}

const firstDenial = (first: Decision, then: () => Decision): Decision => (first.allowed ? then() : first);

/** `gates=` may add gates but not drop the ones the policy requires: such a command is refused, not silently changed. */
function gatesAllowed(policy: AuthorizationPolicy, command: Extract<MeshCommand, { spec: MeshSpec }>): Decision {
  const dropped = droppedRequiredGates(policy, command.spec, command.keys.includes('gates'));
  if (!dropped.length) return allow;
  const required = policy.requiredGates;
  return deny(
    `The policy requires approval at ${code(required)}; \`gates=\` may add gates but not remove these (you left out ${code(dropped)}). ` +
      `Leave \`gates=\` out, or list them too, e.g. \`gates=${[...new Set([...required, ...command.spec.approval.gates])].join(',')}\`.`,
  );
}

/** May `actor` approve or reject a gate of a run requested by `requesterId`? */
export function authorizeApproval(policy: AuthorizationPolicy, actor: Actor, requesterId: string): Decision {
  if (!isIn(policy.approvers, actor) && !isAdmin(policy, actor)) {
    return deny(`You are not an approver. Approvers: ${describe(policy.approvers)}; admins: ${describe(policy.admins)}.`);
  }
  if (policy.fourEyes && actor.userId === requesterId) {
    return deny('You requested this run, and four-eyes is on: someone else has to approve it. Ask another approver.');
  }
  return allow;
}

/**
 * Writes the policy's approvers (and admins), its four-eyes rule and its required gates into a
 * run's spec, so the workflow's validator enforces the same rule. Approvers given with `approvers=`
 * only narrow: a click still has to pass the policy. The gates are the policy's required gates plus
 * any the user added: `gates=` never removes a required one.
 */
export function withPolicyApprovals(spec: MeshSpec, policy: AuthorizationPolicy, approversGiven: boolean): MeshSpec {
  const approvers = approversGiven
    ? spec.approval.approvers
    : {
        users: [...new Set([...policy.approvers.users, ...policy.admins.users])],
        groups: [...new Set([...policy.approvers.groups, ...policy.admins.groups])],
      };
  const gates = [...new Set([...policy.requiredGates, ...spec.approval.gates])];
  return { ...spec, approval: { ...spec.approval, approvers, gates, fourEyes: policy.fourEyes } };
}
