import type { KnownBlock } from '@slack/types';
import { PHASE_TEXT, SLACK_LIMITS, checklistMrkdwn, escapeMrkdwn, slackSafe, temporalUiLink } from '../../common/slack-text';
import { describeVerify } from '../../common/endpoint-table';
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

/** verify-split's verdicts for Slack: each line escaped, the endpoint table as a code block. */
export function verifyMrkdwn(v: VerifyResult): string {
  const lines = describeVerify(v).map((line) => (line.startsWith('ENDPOINT ') ? `\`\`\`${escapeMrkdwn(line)}\`\`\`` : escapeMrkdwn(line)));
  return `*Verify-split ${v.passed ? 'passed' : 'FAILED'}*\n${lines.join('\n')}`;
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
