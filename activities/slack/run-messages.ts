import type { KnownBlock } from '@slack/types';
import { APPROVAL_ACTION, approvalButtonValue } from '../../common/approval-buttons';
import { formatDuration } from '../../common/checklist';
import { renderEndpointTable } from '../../common/endpoint-table';
import { PHASE_TEXT, SLACK_LIMITS, checklistMrkdwn, escapeMrkdwn, slackDate, slackSafe } from '../../common/slack-text';
import type { ApprovalRecord, MeshStatus, StepState } from '../../common/status';
import { STEP_CATALOGUE, type StepId } from '../../common/steps';

/** A message as chat.postMessage / chat.update take it: a fallback text and the blocks. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: slackSafe(text, SLACK_LIMITS.sectionText) } });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: slackSafe(text, SLACK_LIMITS.contextText) }] });
const fallback = (text: string) => slackSafe(text, SLACK_LIMITS.messageText);

const pair = (s: MeshStatus) => `${s.spec.local.context} ↔ ${s.spec.remote.context}`;
const code = (text: string) => `\`${escapeMrkdwn(text)}\``;

function runDuration(status: MeshStatus): string | undefined {
  if (!status.endedAt) return undefined;
  const ms = Date.parse(status.endedAt) - Date.parse(status.startedAt);
  return Number.isFinite(ms) && ms >= 0 ? formatDuration(ms) : undefined;
}

/** A user-group handle (oncall) → its id (S0123), from usergroups.list. */
export type GroupIds = ReadonlyMap<string, string>;

/** A Slack user-group id as usergroups.list gives it (Enterprise Grid too: S…). */
const GROUP_ID = /^S[A-Z0-9]{2,}$/;

/**
 * Slack mentions of the gate's approvers: <@U…>/<@W…> for users, <!subteam^S…> for groups. Slack
 * notifies a group only for <!subteam^ID>; a group the policy names by handle is mentioned by the
 * id `groupIds` resolves it to (<!subteam^S…|@handle>), else shown as plain @handle text (which
 * notifies nobody; the notifier logs it).
 */
export function approverMentions(status: MeshStatus, groupIds: GroupIds = new Map()): string {
  const { users, groups } = status.spec.approval.approvers;
  const names = [...users.map((u) => `<@${u}>`), ...groups.map((g) => groupMention(g, groupIds))];
  return names.length ? names.join(' ') : 'anyone but the requester';
}

function groupMention(group: string, groupIds: GroupIds): string {
  if (GROUP_ID.test(group)) return `<!subteam^${group}>`;
  const handle = group.replace(/^@/, '');
  const id = groupIds.get(handle.toLowerCase());
  return id ? `<!subteam^${id}|@${handle}>` : `@${escapeMrkdwn(handle)}`;
}

/** The approvers' groups named by handle, not id: these need usergroups.list to be mentioned. */
export function groupHandles(status: MeshStatus): string[] {
  return status.spec.approval.approvers.groups.filter((g) => !GROUP_ID.test(g)).map((g) => g.replace(/^@/, ''));
}

/** The run's parent message: header, phase, the checklist, and a link to the Temporal UI. */
export function parentMessage(status: MeshStatus, uiLink?: string): SlackMessage {
  const title = `Mesh ${status.kind}: ${pair(status)}`;
  const took = runDuration(status);
  const facts = [
    `run ${code(status.workflowId)}`,
    `requested by <@${status.requester.id}>`,
    `mesh ${code(status.spec.meshId)}`,
    `rollback ${status.spec.rollback ? 'on' : 'off'}`,
    uiLink ? `<${uiLink}|Open in Temporal UI>` : undefined,
  ].filter(Boolean);
  return {
    text: fallback(`${title}: ${status.phase}`),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: slackSafe(title, SLACK_LIMITS.headerText) } },
      section(`*${PHASE_TEXT[status.phase]}*${took ? ` in ${took}` : ''}${status.outcome ? ` — ${escapeMrkdwn(status.outcome)}` : ''}`),
      section(checklistMrkdwn(status)),
      context(facts.join(' · ')),
    ],
  };
}

/** The thread message that asks for a decision, with Approve / Reject buttons. */
export function approvalRequestMessage(status: MeshStatus, step: StepId, groupIds?: GroupIds): SlackMessage {
  const info = STEP_CATALOGUE[step];
  const value = approvalButtonValue({ workflowId: status.workflowId, ...(status.runId ? { runId: status.runId } : {}), step });
  const fourEyes = status.spec.approval.fourEyes ? ` <@${status.requester.id}> requested the run and may not approve it (four-eyes).` : '';
  return {
    text: fallback(`Approval needed: ${info.title} for ${pair(status)}`),
    blocks: [
      section(`:raised_hand: *Approval needed: ${info.title}* (${code(step)}, seed section “${info.seedSection}”) for ${escapeMrkdwn(pair(status))}.\n${approverMentions(status, groupIds)}, please approve or reject.${fourEyes}`),
      {
        type: 'actions',
        block_id: `approval:${step}`,
        elements: [
          {
            type: 'button',
            action_id: APPROVAL_ACTION.approve,
            style: 'primary',
            text: { type: 'plain_text', text: 'Approve' },
            value,
            // A gate guards a risky step: Slack asks the clicker to confirm before the click is sent.
            confirm: {
              title: { type: 'plain_text', text: 'Approve this step?' },
              text: { type: 'plain_text', text: slackSafe(`${info.title} runs now on ${pair(status)} (run ${status.workflowId}).`, 300) },
              confirm: { type: 'plain_text', text: 'Approve' },
              deny: { type: 'plain_text', text: 'Back' },
              style: 'primary',
            },
          },
          // Reject opens a modal asking for the reason (bot/reject-modal.ts): that is its confirmation.
          { type: 'button', action_id: APPROVAL_ACTION.reject, style: 'danger', text: { type: 'plain_text', text: 'Reject' }, value },
        ],
      },
      context(`Without a decision the run ends as timed out after ${status.spec.approval.timeout}.`),
    ],
  };
}

/** What replaces the buttons once someone decided. */
export function approvalDecidedMessage(record: ApprovalRecord): SlackMessage {
  const info = STEP_CATALOGUE[record.step];
  const verb = record.decision === 'approve' ? ':white_check_mark: *Approved*' : ':no_entry: *Rejected*';
  const reason = record.reason ? `\n> ${escapeMrkdwn(record.reason)}` : '';
  return {
    text: fallback(`${record.decision === 'approve' ? 'Approved' : 'Rejected'}: ${info.title} by ${record.by.id} at ${record.at}`),
    blocks: [section(`${verb}: ${info.title} (${code(record.step)}) by <@${record.by.id}> at ${slackDate(record.at)}${reason}`)],
  };
}

/** What replaces the buttons of a gate nobody decided, once its run ended (timed out, cancelled…). */
export function approvalClosedMessage(status: MeshStatus, step: StepId): SlackMessage {
  const info = STEP_CATALOGUE[step];
  const why =
    status.phase === 'timed-out'
      ? `no one decided within ${status.spec.approval.timeout}`
      : status.phase === 'cancelled'
        ? `the run was cancelled${status.cancellation?.by ? ` by <@${status.cancellation.by.id}>` : ''}`
        : `the run ended (${status.phase})`;
  return {
    text: fallback(`Approval closed: ${info.title} for ${pair(status)}, ${why.replace(/<@([^>]+)>/g, '$1')}`),
    blocks: [section(`:lock: *Approval closed: ${info.title}* (${code(step)}): ${why}. These buttons no longer decide anything.`)],
  };
}

/** What a person does after a run failed or was stopped. */
export function nextStep(status: MeshStatus): string {
  const { local, remote } = status.spec;
  const again = `\`/mesh ${status.kind} ${local.context} ${remote.context}\``;
  switch (status.phase) {
    case 'failed':
      return status.spec.rollback
        ? `What was installed has been cleaned up (rollback=true). Fix the cause above, then run ${again} again.`
        : `Nothing was rolled back (rollback=false). Fix the cause above and run ${again} again (steps are idempotent), or remove what was installed with \`/mesh teardown ${local.context} ${remote.context}\`.`;
    case 'rejected':
    case 'timed-out':
      return `Steps before the gate stay installed. Run ${again} again when it can be approved, or \`/mesh teardown ${local.context} ${remote.context}\` to remove them.`;
    case 'cancelled':
      return `Run ${again} to start over.`;
    case 'skipped':
      return `Nothing to do: a setup or teardown of the pair was running, so the pair was not judged. The next scheduled verify judges it, or run ${again} once that run has ended.`;
    default:
      return `Follow the checklist above; \`/mesh status ${status.workflowId}\` shows it any time.`;
  }
}

/** Thread reply when a step failed: its message and what to do. */
export function stepFailedMessage(status: MeshStatus, step: StepId, state: Extract<StepState, { state: 'failed' }>): SlackMessage {
  const info = STEP_CATALOGUE[step];
  return {
    text: fallback(`${info.title} failed: ${state.error}`),
    blocks: [
      section(`:x: *${info.title}* (${code(step)}) failed${state.durationMs === undefined ? '' : ` after ${formatDuration(state.durationMs)}`}:\n\`\`\`${escapeMrkdwn(slackSafe(state.error, 2500))}\`\`\``),
      context(`*Next:* ${nextStep({ ...status, phase: status.phase === 'running' ? 'failed' : status.phase })}`),
    ],
  };
}

/** Thread reply when the run ended. */
export function summaryMessage(status: MeshStatus): SlackMessage {
  const took = runDuration(status);
  const lines = [`*${PHASE_TEXT[status.phase]}*: mesh ${status.kind} of ${escapeMrkdwn(pair(status))}${took ? ` in ${took}` : ''}.`];
  if (status.outcome) lines.push(escapeMrkdwn(status.outcome));
  const v = status.verify;
  // each verdict in its own block, the endpoint table too: a long list of findings cannot cut the table
  const verdicts: KnownBlock[] = [];
  if (v?.controlPlane || v?.dataPlane) {
    const [cp, dp] = [v.controlPlane, v.dataPlane];
    if (cp) {
      verdicts.push(section(`*Control plane* ${cp.passed ? ':white_check_mark:' : ':x:'} ${escapeMrkdwn(cp.reason)}`));
      if (cp.endpoints.length > 0) verdicts.push(section(`\`\`\`${escapeMrkdwn(renderEndpointTable(cp.endpoints))}\`\`\``));
      const found = [...cp.diagnostics.map((d) => `• ${escapeMrkdwn(d)}`), ...cp.warnings.map((w) => `• :warning: ${escapeMrkdwn(w)}`)];
      if (found.length > 0) verdicts.push(section(found.join('\n')));
    }
    if (dp) verdicts.push(section(`*Data plane* ${dp.checked ? (dp.passed ? ':white_check_mark:' : ':x:') : '(not checked)'} ${escapeMrkdwn(dp.reason)}`));
  } else if (v) {
    // a run recorded before the two verdicts
    const byVersion = Object.entries(v.byVersion ?? {}).map(([k, n]) => `${escapeMrkdwn(k)} ${n}`).join(', ') || 'none';
    const byEndpoint = Object.entries(v.byEndpoint ?? {}).map(([k, n]) => `${code(k)} ${n}`).join(', ') || 'none';
    lines.push(`Traffic split (${v.requests} calls, ${v.failures} failed): ${byVersion}; endpoints: ${byEndpoint}. ${escapeMrkdwn(v.reason)}`);
  }
  for (const a of status.approvals) lines.push(`${a.decision === 'approve' ? 'Approved' : 'Rejected'} ${code(a.step)} by <@${a.by.id}> at ${slackDate(a.at)}`);
  const next = status.phase !== 'done' ? [section(`*Next:* ${nextStep(status)}`)] : [];
  return { text: fallback(`Mesh ${status.kind} ${pair(status)}: ${status.phase}`), blocks: [section(lines.join('\n')), ...verdicts, ...next] };
}
