import type { MeshStatus, StepState } from './status';
import { STEP_CATALOGUE, type StepId } from './steps';

/** One line of a run's checklist, the same for every edge that shows it (Slack, CLI). */
export interface ChecklistRow {
  step: StepId;
  title: string;
  state: StepState['state'];
  /** What a person reads after the title: the summary, the error, the reason, the attempt. */
  detail: string;
}

/** 950 ms → "950ms", 12_300 → "12.3s", 135_000 → "2m15s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes}m${String(seconds).padStart(2, '0')}s`;
}

function detailOf(state: StepState): string {
  switch (state.state) {
    case 'pending':
      return 'pending';
    case 'waiting-approval':
      return `waiting for approval since ${state.since}`;
    case 'running':
      return state.attempt > 1 ? `running (attempt ${state.attempt})` : 'running';
    case 'done':
      return `done in ${formatDuration(state.durationMs)}: ${state.summary}`;
    case 'failed':
      return `failed${state.durationMs === undefined ? '' : ` after ${formatDuration(state.durationMs)}`}: ${state.error}`;
    case 'skipped':
      return `skipped: ${state.reason}`;
  }
}

export function checklistRows(status: Pick<MeshStatus, 'steps'>): ChecklistRow[] {
  return status.steps.map(({ id, state }) => ({
    step: id,
    title: STEP_CATALOGUE[id].title,
    state: state.state,
    detail: detailOf(state),
  }));
}
