import { renderStatus } from '../../cli/render-status';
import { DRIFTED, setupStatus } from '../activities/slack/status-fixture';
import { VERIFY_PASSED } from '../harness/fake-step-activities';

describe('meshops status', () => {
  it("prints istiod's endpoint table under the control-plane verdict, each finding with its fix, and whether traffic was checked", () => {
    const out = renderStatus(setupStatus({ kind: 'verify', phase: 'failed', verify: DRIFTED }));
    const split = out.slice(out.indexOf('Traffic split:')).split('\n');
    expect(split).toEqual([
      'Traffic split:',
      "  Control plane FAILED: istiod's endpoints are not the split: network2's traffic goes to 10.1.0.20:15443, which is no longer the remote gateway's load balancer (198.51.100.200).",
      '  ENDPOINT         LOCALITY       NETWORK   WEIGHT  WHAT',
      '  10.244.0.5:5000  region1/zone1  network1  1       local pod helloworld-v1-a',
      '  10.1.0.20:15443  region2/zone2  network2  1       stale gateway from meshNetworks (the load balancer is 198.51.100.200)',
      "  - meshNetworks sends network2 to 10.1.0.20:15443, but the remote gateway's load balancer is 198.51.100.200. Fix: rerun patch-gateway.",
      '  Data plane not checked: Traffic through the mesh was not checked: the spec asks only for control-plane (add verdicts=data-plane where pods run).',
    ]);
  });

  it('prints both verdicts passed, with the calls that went through the mesh', () => {
    const out = renderStatus(setupStatus({ phase: 'done', verify: VERIFY_PASSED }));
    expect(out).toContain('  Control plane passed: istiod tells the sidecar in network1 the 1 local pod(s) directly');
    expect(out).toContain('  10.1.0.20:15443  region2/zone2  network2  1       remote gateway (1 remote pod)');
    expect(out).toContain('  Data plane passed: Both versions answered (v1 11, v2 9 of 20 calls, 0 failed)');
  });
});
