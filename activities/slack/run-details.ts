import { SLACK_LIMITS, escapeMrkdwn, slackSafe } from '../../common/slack-text';
import type { MeshStatus } from '../../common/status';
import { approverMentions, type SlackMessage } from './run-messages';

/** First thread reply of a run: what was asked for, so nobody has to open the Temporal UI for it. */
export function runDetailsMessage(status: MeshStatus): SlackMessage {
  const { spec } = status;
  const lines = [
    `*local* \`${escapeMrkdwn(spec.local.context)}\` on network \`${spec.local.network}\` · *remote* \`${escapeMrkdwn(spec.remote.context)}\` on network \`${spec.remote.network}\``,
    `mesh \`${spec.meshId}\` · Istio ${spec.istio.version} (${spec.istio.profile}) · samples ${spec.samples.deploy ? `in \`${spec.samples.namespace}\`` : 'not deployed'} · verify with ${spec.verify.requests} calls, each version ≥ ${Math.round(spec.verify.minShare * 100)}%`,
    `Approval before ${spec.approval.gates.map((g) => `\`${g}\``).join(', ') || 'no step'} by ${approverMentions(status)}${spec.approval.fourEyes ? ', four-eyes' : ''}; a gate waits ${spec.approval.timeout}.`,
    `Rollback on failure or cancel: ${spec.rollback ? 'yes' : 'no'}.`,
  ];
  const text = slackSafe(lines.join('\n'), SLACK_LIMITS.sectionText);
  return { text: slackSafe(`Run ${status.workflowId} details`, SLACK_LIMITS.messageText), blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
