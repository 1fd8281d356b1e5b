import type { KnownBlock } from '@slack/types';
import { PHASE_TEXT, SLACK_LIMITS, checklistMrkdwn, escapeMrkdwn, slackSafe, temporalUiLink } from '../../common/slack-text';
import { describeVerify } from '../../common/endpoint-table';
import type { MeshSpec } from '../../common/mesh-spec';
import type { MeshStatus } from '../../common/status';
import type { VerifyResult } from '../../common/verify-result';
import type { RunSummary } from '../../client';

/** What the bot sends back through response_url: ephemeral unless said otherwise. */
export interface Reply {
  text: string;
  blocks?: KnownBlock[];
  response_type: 'ephemeral' | 'in_channel';
}

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: slackSafe(text, SLACK_LIMITS.sectionText) } });

export function ephemeral(text: string): Reply {
  const safe = slackSafe(text, SLACK_LIMITS.sectionText);
  return { response_type: 'ephemeral', text: safe, blocks: [section(safe)] };
}

/** A rejection: what was wrong, then the right form. */
export function usageError(error: string, usage: string): Reply {
  return ephemeral(`:warning: ${error}\nUsage:\n${usage.split('\n').map((u) => `\`${u}\``).join('\n')}\nType \`/mesh help\` for all commands.`);
}

export function denied(reason: string): Reply {
  return ephemeral(`:lock: ${reason}`);
}

/**
 * The answer to a started setup / teardown / verify: the run id and, when the run's message was
 * posted in time (bot/permalink.ts), a link to it; otherwise where it will appear.
 */
export function startedReply(verb: 'setup' | 'teardown' | 'verify', spec: MeshSpec, workflowId: string, permalink?: string): Reply {
  const head = `:rocket: Started mesh ${verb} of \`${escapeMrkdwn(spec.local.context)}\` ↔ \`${escapeMrkdwn(spec.remote.context)}\` as run \`${escapeMrkdwn(workflowId)}\`.`;
  const where = permalink
    ? `Follow it in <${permalink}|its message>: the checklist is updated there as it goes, approvals are asked in its thread.`
    : 'Its checklist will be posted in this channel and updated as it goes (it was not there yet; if it does not appear, check that a meshops worker is running).';
  return ephemeral(`${head} ${where}`);
}

const FENCE = '```';

/**
 * The endpoint table's rows that fit in `room` characters, whole rows only, with a last line
 * saying how many were left out; '' when not even the header and that line fit.
 */
function cutTable(table: string, room: number): string {
  if (table.length <= room) return table;
  const rows = table.split('\n');
  for (let keep = rows.length - 1; keep >= 1; keep--) {
    const cut = `${rows.slice(0, keep).join('\n')}\n… (${rows.length - keep} more rows)`;
    if (cut.length <= room) return cut;
  }
  return '';
}

/**
 * verify-split's verdicts for Slack: each line escaped, the endpoint table as a code block. The
 * table is cut (by rows) to what fits in a section beside the other lines, before it is fenced,
 * so that cutting the section never leaves a code block open.
 */
export function verifyMrkdwn(v: VerifyResult): string {
  const head = `*Verify-split ${v.passed ? 'passed' : 'FAILED'}*`;
  const lines = describeVerify(v).map((line) => ({ table: line.startsWith('ENDPOINT '), text: escapeMrkdwn(line) }));
  const others = [head, ...lines.filter((l) => !l.table).map((l) => l.text)].join('\n');
  const tables = lines.filter((l) => l.table).length;
  // each table adds its fences and a line break beside the other lines
  const room = Math.floor((SLACK_LIMITS.sectionText - others.length) / Math.max(1, tables)) - 2 * FENCE.length - 1;
  const shown = lines.flatMap(({ table, text }) => {
    if (!table) return [text];
    const cut = cutTable(text, room);
    return cut ? [`${FENCE}${cut}${FENCE}`] : [];
  });
  return [head, ...shown].join('\n');
}

export function statusReply(status: MeshStatus, ui?: { url?: string; namespace: string }): Reply {
  const link = temporalUiLink(ui?.url, ui?.namespace ?? 'default', status.workflowId);
  const head = `*Mesh ${status.kind} ${escapeMrkdwn(status.spec.local.context)} ↔ ${escapeMrkdwn(status.spec.remote.context)}* — ${PHASE_TEXT[status.phase]}${status.outcome ? `: ${escapeMrkdwn(status.outcome)}` : ''}`;
  const meta = [`run \`${escapeMrkdwn(status.workflowId)}\``, `requested by <@${status.requester.id}>`, `started ${status.startedAt}`, link ? `<${link}|Temporal UI>` : undefined].filter(Boolean).join(' · ');
  return {
    response_type: 'ephemeral',
    text: slackSafe(`Mesh ${status.kind} ${status.workflowId}: ${status.phase}`, SLACK_LIMITS.messageText),
    blocks: [section(head), section(checklistMrkdwn(status)), ...(status.verify ? [section(verifyMrkdwn(status.verify))] : []), { type: 'context', elements: [{ type: 'mrkdwn', text: slackSafe(meta, SLACK_LIMITS.contextText) }] }],
  };
}

export function runsReply(runs: RunSummary[]): Reply {
  if (runs.length === 0) return ephemeral('No mesh runs yet. Start one with `/mesh setup <local-context> <remote-context>`.');
  const lines = runs.map((r) => {
    const state = r.phase ?? r.temporalStatus.toLowerCase();
    const who = r.requester ? ` by <@${r.requester}>` : '';
    return `• \`${escapeMrkdwn(r.workflowId)}\` — ${escapeMrkdwn(state)}${who}, started ${r.startTime.toISOString()}`;
  });
  return ephemeral(`*Recent mesh runs* (newest first):\n${lines.join('\n')}\nShow one with \`/mesh status <run>\`.`);
}
