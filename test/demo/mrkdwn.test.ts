import { COLOUR, PLAIN, renderMrkdwn } from '../../demo/mrkdwn';

const names = { users: { U0ALICE: 'alice', W0GRID: 'gridbob' }, groups: { S0ONCALL: 'oncall' } };

describe('mrkdwn in the terminal, as Slack shows it', () => {
  it('resolves user and group mentions, dates, links and emoji, and unescapes what meshops escaped', () => {
    const text =
      ':raised_hand: *Approval needed: Install Istio on remote* for local ↔ remote.\n<!subteam^S0ONCALL>, <@U0ALICE> and <@W0GRID>: approve by <!date^1764000000^{date_short_pretty} at {time_secs}|2025-11-24T16:00:00Z>. ' +
      '<http://127.0.0.1:8233/namespaces/default/workflows/x|Open in Temporal UI> · a &lt;b&gt; &amp; c';
    expect(renderMrkdwn(text, names, PLAIN)).toEqual([
      '✋ Approval needed: Install Istio on remote for local ↔ remote.',
      '@oncall, @alice and @gridbob: approve by 2025-11-24T16:00:00Z. Open in Temporal UI (http://127.0.0.1:8233/namespaces/default/workflows/x) · a <b> & c',
    ]);
  });

  it('keeps a code block as it is, indented, and does not read mrkdwn inside it or inside inline code', () => {
    const text = 'Endpoints:\n```ENDPOINT          WEIGHT\n10.244.1.3:5000   1\n*not bold*```\nrun `mesh-setup/*a*--b`';
    expect(renderMrkdwn(text, names, PLAIN)).toEqual(['Endpoints:', '  ENDPOINT          WEIGHT', '  10.244.1.3:5000   1', '  *not bold*', 'run mesh-setup/*a*--b']);
  });

  it('draws bold and code with ANSI styles when colour is on, and an unknown mention or emoji as written', () => {
    expect(renderMrkdwn('*done* `x` <@U0NOBODY> :tada:', names, COLOUR)).toEqual(['\x1b[1mdone\x1b[22m \x1b[36mx\x1b[39m \x1b[1m@U0NOBODY\x1b[22m :tada:']);
  });

  it('shows a quoted reason as a quote', () => {
    expect(renderMrkdwn(':no_entry: *Rejected*\n> not during the freeze', names, PLAIN)).toEqual(['⛔ Rejected', '│ not during the freeze']);
  });
});
