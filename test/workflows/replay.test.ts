import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { HISTORIES_DIR, RECORD_HISTORIES_ENV, readHistory } from '../harness/mesh-test-kit';

/**
 * Determinism guard: histories recorded from real runs (see RECORD_HISTORIES_ENV) must replay
 * against today's workflow code. A failure here means a change needs `patched()`.
 */
describe('recorded mesh workflow histories replay without nondeterminism', () => {
  const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).sort();

  it(`has the recorded histories checked in (re-record with ${RECORD_HISTORIES_ENV}=1)`, () => {
    expect(files).toEqual(
      expect.arrayContaining(['setup-happy.json', 'setup-rejected.json', 'setup-timed-out.json', 'setup-transient.json', 'setup-non-retryable.json', 'setup-cancel-rollback.json', 'teardown.json', 'teardown-gated.json', 'verify-drift.json', 'verify-drift-before-step-events.json', 'setup-cancel-update-rollback.json', 'verify-not-judged-during-teardown.json']),
    );
  });

  it('replays every one', async () => {
    const histories = files.map((f) => ({ workflowId: f.replace(/\.json$/, ''), history: readHistory(join(HISTORIES_DIR, f)) }));
    const results: { workflowId: string; error?: string }[] = [];
    for await (const r of Worker.runReplayHistories({ workflowsPath: require.resolve('../../workflows') }, histories)) {
      results.push({ workflowId: r.workflowId, ...(r.error ? { error: String(r.error) } : {}) });
    }
    expect(results).toEqual(files.map((f) => ({ workflowId: f.replace(/\.json$/, '') })));
  });
});
