import { checklistRows } from './checklist';
import { redactSecrets } from './redact';
import type { MeshStatus, RunPhase, StepState } from './status';

/**
 * Slack's limits (docs.slack.dev, Block Kit reference): texts over them make the API refuse the
 * whole message, so every text is cut before it is sent.
 */
export const SLACK_LIMITS = {
  /** chat.postMessage `text`: 40 000 hard, 4 000 recommended (longer is truncated by Slack). */
  messageText: 4000,
  sectionText: 3000,
  headerText: 150,
  contextText: 2000,
  buttonText: 75,
  buttonValue: 2000,
  blocksPerMessage: 50,
} as const;

/** Redacts secrets, then cuts to `max` characters, saying that it did. */
export function slackSafe(text: string, max: number): string {
  const clean = redactSecrets(text);
  if (clean.length <= max) return clean;
  const note = '… (cut)';
  return clean.slice(0, Math.max(0, max - note.length)) + note;
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export const STATE_MARK: Record<StepState['state'], string> = {
  pending: ':white_circle:',
  'waiting-approval': ':raised_hand:',
  running: ':hourglass_flowing_sand:',
  done: ':white_check_mark:',
  failed: ':x:',
  skipped: ':fast_forward:',
};

export const PHASE_TEXT: Record<RunPhase, string> = {
  running: ':hourglass_flowing_sand: running',
  'waiting-approval': ':raised_hand: waiting for approval',
  cancelling: ':warning: cancelling',
  done: ':white_check_mark: done',
  failed: ':x: failed',
  cancelled: ':no_entry_sign: cancelled',
  'timed-out': ':alarm_clock: timed out waiting for approval',
  rejected: ':no_entry: rejected',
  skipped: ':fast_forward: skipped',
};

/** The checklist as mrkdwn lines, one per step, escaped and redacted. */
export function checklistMrkdwn(status: Pick<MeshStatus, 'steps'>): string {
  // Each row is cut on its own so one long error cannot push the later steps out of the section.
  const lines = checklistRows(status).map((row) => `${STATE_MARK[row.state]} *${row.title}* — ${escapeMrkdwn(slackSafe(row.detail, 240))}`);
  return slackSafe(lines.join('\n'), SLACK_LIMITS.sectionText);
}

/** An ISO time that Slack shows in each reader's own time zone, with the ISO text as fallback. */
export function slackDate(iso: string): string {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  return Number.isFinite(seconds) ? `<!date^${seconds}^{date_short_pretty} at {time_secs}|${iso}>` : escapeMrkdwn(iso);
}

/** Link to the run in the Temporal UI, when its address is configured. */
export function temporalUiLink(uiUrl: string | undefined, namespace: string, workflowId: string): string | undefined {
  if (!uiUrl) return undefined;
  return `${uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
