import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnTs } from '../harness/child-process';

/**
 * `npm run demo -- --yes` as a process, as a new user runs it: its own test clusters with a real
 * istiod, dev server, worker and bot processes; Slack played. Without a terminal the channel is
 * printed at each approval request and at the end.
 */
describe('npm run demo -- --yes', () => {
  jest.setTimeout(600_000);

  it('runs the setup to done with the control-plane verdict passed, says what was not verified, and stops everything it started', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'meshops-demo-test-')), 'demo.log');
    const demo = spawnTs(join(__dirname, '../../demo/main.ts'), { MESHOPS_CONFIG: '' }, log, ['--yes']);
    const code = await demo.exited;
    const out = readFileSync(log, 'utf8');
    expect({ code, tail: out.slice(-3000) }).toMatchObject({ code: 0 });
    expect(out).toContain('  /mesh setup local remote verdicts=control-plane');
    expect(out).toMatch(/│ {3}\[ Approve \] {2}\[ Reject \]/);
    expect(out).toMatch(/↳ bob clicked Approve on install-remote/);
    expect(out).toMatch(/↳ bob clicked Approve on link-secret/);
    expect(out).toContain('✅ mesh setup of local ↔ remote: done');
    expect(out).toMatch(/Control plane passed: .*\n {2}ENDPOINT +LOCALITY +NETWORK +WEIGHT +WHAT\n {2}10\.244\.\d+\.\d+:5000 +\S+ +network1 +1 +local pod helloworld-v1-\S+\n {2}198\.51\.100\.\d+:15443 +\S+ +network2 +1 +remote gateway \(1 remote pod\)/);
    expect(out).toMatch(/Temporal UI: http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows\/mesh%2Flocal--remote/);
    expect(out).toContain('Not verified here: traffic.');
    expect(out).toMatch(/done: stopping everything the demo started…\n(.*\n)*stopped\.\n/);
    // what it started is gone: no process runs from its clusters' folder
    const kubeDir = /Logs: \S+ \(worker, bot\), (\/tmp\/meshops-kube-\w+)\/logs/.exec(out)?.[1];
    expect(kubeDir).toBeDefined();
    const processes = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    expect(processes).not.toContain(kubeDir);
  });
});
