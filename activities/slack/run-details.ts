import { SLACK_LIMITS, escapeMrkdwn, slackSafe } from '../../common/slack-text';
import type { MeshStatus } from '../../common/status';
import { approverMentions, type SlackMessage } from './run-messages';

/** What verify-split will check, as the spec's verdicts say: istiod's endpoints, calls, or both. */
export function verifyWording(verify: MeshStatus['spec']['verify']): string {
  const calls = `${verify.requests} calls, each version ≥ ${Math.round(verify.minShare * 100)}%`;
  const control = verify.verdicts.includes('control-plane');
  if (!verify.verdicts.includes('data-plane')) return "verify istiod's endpoints (control plane only, traffic not checked)";
  return control ? `verify istiod's endpoints and ${calls}` : `verify with ${calls}`;
}

/** First thread reply of a run: what was asked for, so nobody has to open the Temporal UI for it. */
export function runDetailsMessage(status: MeshStatus): SlackMessage {
  const { spec } = status;
  const lines = [
    `*local* \`${escapeMrkdwn(spec.local.context)}\` on network \`${spec.local.network}\` · *remote* \`${escapeMrkdwn(spec.remote.context)}\` on network \`${spec.remote.network}\``,
    `mesh \`${spec.meshId}\` · Istio ${spec.istio.version} (${spec.istio.profile}) · samples ${spec.samples.deploy ? `in \`${spec.samples.namespace}\`` : 'not deployed'} · ${verifyWording(spec.verify)}`,
    `Approval before ${spec.approval.gates.map((g) => `\`${g}\``).join(', ') || 'no step'} by ${approverMentions(status)}${spec.approval.fourEyes ? ', four-eyes' : ''}; a gate waits ${spec.approval.timeout}.`,
    `Rollback on failure or cancel: ${spec.rollback ? 'yes' : 'no'}.`,
  ];
  const text = slackSafe(lines.join('\n'), SLACK_LIMITS.sectionText);
  return { text: slackSafe(`Run ${status.workflowId} details`, SLACK_LIMITS.messageText), blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
