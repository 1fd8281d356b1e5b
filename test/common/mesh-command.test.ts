import { parseMeshCommand, type MeshCommand, type ParseResult } from '../../common/mesh-command';

function ok(text: string): MeshCommand {
  const result = parseMeshCommand(text);
  if (!result.ok) throw new Error(`expected ${text} to parse, got: ${result.error}`);
  return result.command;
}
function rejected(text: string): Extract<ParseResult, { ok: false }> {
  const result = parseMeshCommand(text);
  if (result.ok) throw new Error(`expected ${text} to be rejected`);
  return result;
}

describe('/mesh grammar', () => {
  it('parses setup with the seed defaults', () => {
    const cmd = ok('setup local remote');
    expect(cmd).toMatchObject({ verb: 'setup', keys: [] });
    if (cmd.verb !== 'setup') throw new Error('not setup');
    expect(cmd.spec.local).toEqual({ context: 'local', network: 'network1' });
    expect(cmd.spec.remote).toEqual({ context: 'remote', network: 'network2' });
    expect(cmd.spec.rollback).toBe(false);
  });

  it('maps key=value words onto MeshSpec fields', () => {
    const cmd = ok('setup ctx-a ctx-b rollback=true requests=50 meshId=prod localNetwork=east remoteNetwork=west gates=none timeout=2h samples=off approvers=<@U0AAA|ann>,<!subteam^S0OPS|@oncall>');
    if (cmd.verb !== 'setup') throw new Error('not setup');
    expect(cmd.spec).toMatchObject({
      rollback: true,
      meshId: 'prod',
      verify: { requests: 50 },
      local: { network: 'east' },
      remote: { network: 'west' },
      samples: { deploy: false },
      approval: { gates: [], timeout: '2h', approvers: { users: ['U0AAA'], groups: ['S0OPS'] } },
    });
    expect(cmd.keys).toEqual(['rollback', 'requests', 'meshId', 'localNetwork', 'remoteNetwork', 'gates', 'timeout', 'samples', 'approvers']);
  });

  it('parses the other verbs', () => {
    expect(ok('')).toEqual({ verb: 'help' });
    expect(ok('HELP')).toEqual({ verb: 'help' });
    expect(ok('runs')).toEqual({ verb: 'runs' });
    expect(ok('status')).toEqual({ verb: 'status' });
    expect(ok('status mesh/local--remote')).toEqual({ verb: 'status', run: 'mesh/local--remote' });
    expect(ok('cancel mesh/local--remote --rollback')).toEqual({ verb: 'cancel', run: 'mesh/local--remote', rollback: true });
    expect(ok('cancel mesh/local--remote')).toEqual({ verb: 'cancel', run: 'mesh/local--remote', rollback: false });
    expect(ok('teardown local remote')).toMatchObject({ verb: 'teardown' });
    expect(ok('verify local remote requests=100')).toMatchObject({ verb: 'verify', spec: { verify: { requests: 100 } } });
  });

  it("takes which verdicts verify-split must pass (default both) and whether to ask istiod's plaintext port", () => {
    expect(ok('verify local remote')).toMatchObject({ spec: { verify: { verdicts: ['control-plane', 'data-plane'], plaintextXds: false } } });
    expect(ok('verify local remote verdicts=control-plane plaintextXds=true')).toMatchObject({ spec: { verify: { verdicts: ['control-plane'], plaintextXds: true } } });
  });

  it.each([
    ['stup local remote', 'Unknown command `stup`. Did you mean `setup`?', '/mesh setup <local-context>'],
    ['setup local', '`setup` needs the local and the remote kubeconfig context.', '/mesh setup <local-context> <remote-context> [key=value…]'],
    ['setup local remote rollback', '`setup` takes two contexts, not `rollback` as well. Options are written as `rollback=value`.', '/mesh setup'],
    ['setup local local', '<remote-context> `local`: local and remote must be two different kubeconfig contexts', '/mesh setup'],
    ['setup local remote requets=5', 'Unknown key `requets`. Did you mean `requests`?', '/mesh setup'],
    ['setup local remote requests=many', '`requests=many`: use a whole number, e.g. `requests=50`', '/mesh setup'],
    ['setup local remote requests=1', '`requests`: Too small: expected number to be >=2 (e.g. `requests=50`)', '/mesh setup'],
    ['setup local remote rollback=maybe', '`rollback=maybe`: use true or false, e.g. `rollback=true`', '/mesh setup'],
    ['setup local remote meshId=Mesh_1', '`meshId`: use lower-case letters, digits and dashes (a DNS label), e.g. network1 (e.g. `meshId=mesh1`)', '/mesh setup'],
    ['setup local remote localNetwork=n remoteNetwork=n', '`remoteNetwork`: local and remote must be on different Istio networks', '/mesh setup'],
    ['setup local remote rollback=true rollback=false', '`rollback` is given twice; give it once.', '/mesh setup'],
    ['setup local remote gates=install-remote,bogus', '`gates`: Invalid option', '/mesh setup'],
    ['verify local remote verdicts=traffic', '`verdicts`: Invalid option: expected one of "control-plane"|"data-plane"', '/mesh verify'],
    ['verify local remote verdicts=none', '`verdicts`: name at least one verdict: control-plane, data-plane', '/mesh verify'],
    ['setup local remote approvers=bob', '`approvers=bob`: `bob` is not a Slack user or user group; mention them', '/mesh setup'],
    ['setup "local" remote', '<local-context> `"local"`: kubeconfig context names have no spaces or quotes', '/mesh setup'],
    ['cancel', '`cancel` needs the run id.', '/mesh cancel <run> [--rollback]'],
    ['cancel run-1 --force', 'Unknown flag `--force`; the only flag is `--rollback`.', '/mesh cancel'],
    ['status a b', '`status` takes at most one run id, not `b` as well.', '/mesh status [run]'],
    ['status <b>', '<run> `<b>`: a run id has letters, digits', '/mesh status [run]'],
    ['runs now', '`runs` takes no arguments, not `now`.', '/mesh runs'],
  ])('rejects %j saying what was wrong and showing the right form', (text, error, usage) => {
    const result = rejected(text);
    expect(result.error).toContain(error);
    expect(result.usage).toContain(usage);
  });

  it('reads contexts Slack turned into links back as the words that were typed', () => {
    const cmd = ok('setup <mailto:admin@prod-east|admin@prod-east> <http://prod.west|prod.west>');
    if (cmd.verb !== 'setup') throw new Error('not setup');
    expect([cmd.spec.local.context, cmd.spec.remote.context]).toEqual(['admin@prod-east', 'prod.west']);
  });

  it('rejects overlong text without parsing it', () => {
    expect(rejected(`setup a b ${'x'.repeat(3000)}`).error).toContain('keep it under 2000');
  });
});
