/** The right form of each `/mesh` verb, shown by `help` and after every rejection. */
export const VERBS = ['setup', 'status', 'cancel', 'teardown', 'verify', 'runs', 'help'] as const;
export type Verb = (typeof VERBS)[number];

export const USAGE: Record<Verb, string> = {
  setup: '/mesh setup <local-context> <remote-context> [key=value…]',
  status: '/mesh status [run]',
  cancel: '/mesh cancel <run> [--rollback]',
  teardown: '/mesh teardown <local-context> <remote-context> [key=value…]',
  verify: '/mesh verify <local-context> <remote-context> [key=value…]',
  runs: '/mesh runs',
  help: '/mesh help',
};

const PURPOSE: Record<Verb, string> = {
  setup: 'set up a two-cluster mesh (asks for approval before the risky steps)',
  status: 'show the checklist of a run (the most recent run when none is given)',
  cancel: 'cancel a run; --rollback also cleans up what it installed',
  teardown: 'remove the mesh from both clusters',
  verify: 're-check the traffic split of an existing mesh',
  runs: 'list recent runs',
  help: 'show this help',
};

export function helpText(setupKeys: readonly string[]): string {
  const lines = VERBS.map((verb) => `\`${USAGE[verb]}\` — ${PURPOSE[verb]}`);
  return [
    '*meshops* drives the two-cluster Istio setup from Slack.',
    ...lines,
    `Keys for setup, teardown and verify: ${setupKeys.map((k) => `\`${k}\``).join(', ')}.`,
    'Example: `/mesh setup local remote requests=50 rollback=true approvers=@oncall`',
    '`<run>` is the run id the bot posted, e.g. `mesh/local--remote`.',
  ].join('\n');
}
