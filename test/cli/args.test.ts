import { parseCliArgs } from '../../cli/args';

describe('meshops CLI arguments', () => {
  it('reads the /mesh grammar, CLI flags apart', () => {
    const args = parseCliArgs(['setup', 'east', 'west', 'requests=40', '--wait', '--as', 'ann', '--groups', 'sre,oncall']);
    expect(args.as).toBe('ann');
    expect(args.groups).toEqual(['sre', 'oncall']);
    expect(args.command).toMatchObject({ kind: 'mesh', wait: true, command: { verb: 'setup', spec: { local: { context: 'east' }, remote: { context: 'west' }, verify: { requests: 40 } } } });
  });

  it('turns --rollback into the cancel flag', () => {
    expect(parseCliArgs(['cancel', 'mesh/east--west', '--rollback']).command).toEqual({
      kind: 'mesh',
      wait: false,
      command: { verb: 'cancel', run: 'mesh/east--west', rollback: true },
    });
  });

  it('has the verbs Slack does with buttons', () => {
    expect(parseCliArgs(['approve', 'mesh/a--b', 'link-secret', '--reason', 'change 42']).command).toEqual({
      kind: 'decide',
      decision: 'approve',
      run: 'mesh/a--b',
      step: 'link-secret',
      reason: 'change 42',
    });
    expect(parseCliArgs(['schedule-verify', 'a', 'b', '15m', 'requests=40', 'namespace=demo']).command).toMatchObject({
      kind: 'schedule',
      every: '15m',
      spec: { local: { context: 'a' }, remote: { context: 'b' }, verify: { requests: 40 }, samples: { namespace: 'demo' } },
    });
  });

  it('says what is wrong and shows the right form', () => {
    expect(() => parseCliArgs(['approve', 'mesh/a--b', 'install-everything'])).toThrow(/approve <run> <step>: 1: Invalid option[\s\S]*Usage: meshops/);
    expect(() => parseCliArgs(['schedule-verify', 'a', 'b', 'often'])).toThrow(/use a number and a unit/);
    expect(() => parseCliArgs(['setup', 'a'])).toThrow(/needs the local and the remote kubeconfig context[\s\S]*meshops setup <local-context>/);
    expect(() => parseCliArgs(['setup', 'a', 'b', '--colour'])).toThrow(/Unknown option '--colour'/);
  });
});
