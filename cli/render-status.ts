import { checklistRows } from '../common/checklist';
import { describeVerify } from '../common/endpoint-table';
import type { MeshStatus, StepState } from '../common/status';
import type { RunSummary } from '../client';

const MARK: Record<StepState['state'], string> = {
  pending: '[ ]',
  'waiting-approval': '[?]',
  running: '[>]',
  done: '[x]',
  failed: '[!]',
  skipped: '[-]',
};

/** The run's checklist as terminal text: one line per step, then approvals and the outcome. */
export function renderStatus(status: MeshStatus): string {
  const { spec } = status;
  const lines = [
    `${status.workflowId}  ${status.phase.toUpperCase()}`,
    `${spec.local.context} (${spec.local.network}) + ${spec.remote.context} (${spec.remote.network}), requested by ${status.requester.name ?? status.requester.id}`,
    '',
    ...checklistRows(status).map((row) => `${MARK[row.state]} ${row.step.padEnd(15)} ${row.title.padEnd(30)} ${row.detail}`),
  ];
  if (status.approvals.length > 0) {
    lines.push('', 'Approvals:');
    for (const a of status.approvals) lines.push(`  ${a.step}: ${a.decision}d by ${a.by.name ?? a.by.id} at ${a.at}${a.reason ? ` (${a.reason})` : ''}`);
  }
  if (status.verify) lines.push('', 'Traffic split:', ...describeVerify(status.verify).map((l) => l.replace(/^/gm, '  ')));
  if (status.outcome) lines.push('', status.outcome);
  return lines.join('\n');
}

export function renderRuns(runs: RunSummary[]): string {
  if (runs.length === 0) return 'No mesh runs yet. Start one with `meshops setup <local-context> <remote-context>`.';
  return runs
    .map((r) => `${r.startTime.toISOString()}  ${(r.phase ?? r.temporalStatus.toLowerCase()).padEnd(10)} ${r.workflowId}${r.requester ? `  by ${r.requester}` : ''}`)
    .join('\n');
}
