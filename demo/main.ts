import { checklistRows, formatDuration } from '../common/checklist';
import { describeVerify } from '../common/endpoint-table';
import { temporalUiLink } from '../common/slack-text';
import type { MeshStatus } from '../common/status';
import { playRun, type ApprovalAsk, type Decision } from './conversation';
import { COLOUR, PLAIN } from './mrkdwn';
import { ChannelView } from './slack-view';
import { DEMO_SLACK, Teardown, startDemoStack, type DemoStack } from './stack';
import { Screen } from './screen';

const USAGE = `npm run demo [-- --yes]

Runs the main job of meshops on this machine: two test clusters with a real istiod, the Temporal
dev server, the worker and the Slack bot, then plays Slack: alice types /mesh setup, bob (on call)
approves each gated step, and the conversation shows here as Slack would show it.
  --yes   approve unattended instead of asking for a key press
Needs root (the clusters live in a network namespace of their own). Ctrl-C stops everything.`;

/** The test clusters run no data plane: the run asks for the control-plane verdict only. */
const SETUP_TEXT = 'setup local remote verdicts=control-plane';

const NOT_VERIFIED = [
  'Verified here: every step against real Kubernetes API servers with admission webhooks on and a real istiod',
  '  (pilot-discovery) that injected the samples, watched the remote through the remote secret, and sent',
  '  sleep\'s sidecar the endpoints above over xDS.',
  'Not verified here: traffic. The test clusters run no containers and no Envoy can be had on this machine,',
  '  so no request went through a sidecar or the east-west gateway; the data-plane verdict (calls from sleep)',
  '  runs where pods run. Load balancers, the kubelet and the gateway\'s passthrough to istiod are stand-ins',
  '  (docs/test-clusters.md).',
];

function summary(status: MeshStatus, stack: DemoStack, startedAt: number): string[] {
  const ok = status.phase === 'done' && status.verify?.controlPlane?.passed === true;
  const lines = ['', `${ok ? '✅' : '❌'} mesh setup of local ↔ remote: ${status.phase}${status.outcome ? ` — ${status.outcome}` : ''}`, ''];
  if (status.verify) {
    const verdicts = describeVerify(status.verify).flatMap((l) => l.split('\n'));
    lines.push('Split-horizon EDS as istiod sends it to sleep\'s sidecar (verify-split):', ...verdicts.map((l) => `  ${l}`), '');
  }
  lines.push('Steps:');
  const width = (process.stdout.columns ?? 120) - 4;
  for (const row of checklistRows(status)) {
    const line = `${row.state.padEnd(8)} ${row.title.padEnd(30)} ${row.detail.split('\n')[0].replace(/^done in /, '')}`;
    lines.push(`  ${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
  }
  lines.push('', `Temporal UI: ${temporalUiLink(stack.temporalUi, 'default', status.workflowId)}`);
  lines.push(`Logs: ${stack.logDir} (worker, bot), ${stack.clusters.logDir} (clusters, istiod)`, '', ...NOT_VERIFIED);
  lines.push('', `Demo took ${formatDuration(Date.now() - startedAt)}.`);
  return lines;
}

async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const unattended = argv.includes('--yes') || argv.includes('-y');
  const unknown = argv.filter((a) => !['--yes', '-y'].includes(a));
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown.join(' ')}\n\n${USAGE}`);
  if (!unattended && !process.stdin.isTTY) throw new Error('There is no terminal to ask for approval: run `npm run demo -- --yes` to approve unattended.');

  const startedAt = Date.now();
  const screen = new Screen(process.stdout, process.stdin);
  const teardown = new Teardown();
  let stopping: Promise<void> | undefined;
  const stopAll = (why: string) => {
    stopping ??= (async () => {
      screen.close();
      console.log(`\n${why}: stopping everything the demo started…`);
      await teardown.run((line) => console.log(`  ${line}`));
      console.log('stopped.');
    })();
    return stopping;
  };
  process.once('SIGINT', () => void stopAll('Ctrl-C').then(() => process.exit(130)));
  process.once('SIGTERM', () => void stopAll('SIGTERM').then(() => process.exit(143)));
  screen.onInterrupt(() => void stopAll('Ctrl-C').then(() => process.exit(130)));

  try {
    const stack = await startDemoStack((line) => console.log(`• ${line}`), teardown);
    const ok = await converse(stack, screen, unattended, startedAt);
    await stopAll('done');
    return ok ? 0 : 1;
  } catch (err) {
    await stopAll('failed');
    throw err;
  }
}

/** Plays the Slack side of one setup run on the stack; true when it ended done with the control-plane verdict passed. */
async function converse(stack: DemoStack, screen: Screen, unattended: boolean, startedAt: number): Promise<boolean> {
  const { standin, requester, approver } = { standin: stack.standin, ...DEMO_SLACK };
  const view = new ChannelView(standin, {
    channel: DEMO_SLACK.channel,
    channelName: DEMO_SLACK.channelName,
    botName: 'meshops',
    names: { users: { [requester.id]: requester.name, [approver.id]: approver.name, UBOTMESH: 'meshops' }, groups: { [DEMO_SLACK.oncall.id]: DEMO_SLACK.oncall.handle } },
    style: screen.live ? COLOUR : PLAIN,
  });
  let footer = `${requester.name} is typing /mesh ${SETUP_TEXT}…`;
  const draw = () => screen.draw(view.render(), footer);
  standin.changes.on('change', draw);

  const decide = async (ask: ApprovalAsk): Promise<Decision> => {
    if (unattended) {
      footer = `✋ ${approver.name} (on call) approves ${ask.step} (--yes)…`;
      draw();
      if (!screen.live) screen.print(view.render());
      await new Promise((r) => setTimeout(r, 1500));
      return 'approve';
    }
    footer = `✋ ${approver.name}, you are on call: press a to Approve ${ask.step}, r to Reject, Ctrl-C to stop`;
    draw();
    const key = await screen.key(['a', 'r']);
    return key === 'a' ? 'approve' : 'reject';
  };

  const status = await playRun({
    eventsUrl: stack.eventsUrl,
    signingSecret: DEMO_SLACK.signingSecret,
    standin,
    temporal: stack.temporal,
    channel: DEMO_SLACK.channel,
    requester,
    approver,
    text: SETUP_TEXT,
    decide,
    onTyped: (user, text, kind) => {
      view.typed(user.id, text, kind);
      footer = `the run is going: its message is updated in place, details in its thread`;
      draw();
    },
  });
  standin.changes.off('change', draw);
  footer = '';
  screen.finish(view.render());
  const ok = status.phase === 'done' && status.verify?.controlPlane?.passed === true;
  console.log(summary(status, stack, startedAt).join('\n'));
  if (!unattended) {
    console.log(`\nEverything is still running: KUBECONFIG=${stack.clusters.kubeconfigPath} (contexts local, remote). Press q or Ctrl-C to stop it.`);
    await screen.key(['q']);
  }
  return ok;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
