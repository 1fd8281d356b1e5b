import { summaryMessage } from '../../../activities/slack/run-messages';
import { setupStatus } from './status-fixture';

describe('the summary of a verify that did not judge the pair', () => {
  it('says it was skipped, why, and that nothing needs doing', () => {
    const outcome = 'Not judged: mesh setup mesh/local--remote is changing local and remote; the next verify judges the pair again.';
    const text = JSON.stringify(summaryMessage(setupStatus({ kind: 'verify', phase: 'skipped', outcome })).blocks);
    expect(text).toContain('*:fast_forward: skipped*: mesh verify of local ↔ remote');
    expect(text).toContain(outcome);
    expect(text).toContain('*Next:* Nothing to do: a setup or teardown of the pair was running, so the pair was not judged.');
  });
});
