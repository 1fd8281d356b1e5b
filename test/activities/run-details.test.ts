import { MeshSpec, meshSpecFor } from '../../common/mesh-spec';
import { runDetailsMessage } from '../../activities/slack/run-details';
import { setupStatus } from './slack/status-fixture';

/** The run's first thread reply says what verify-split will check, as the spec's verdicts say. */
describe("the run details' verify wording", () => {
  const text = (verify: object) => {
    const spec = MeshSpec.parse({ ...meshSpecFor('local', 'remote'), verify });
    return JSON.stringify(runDetailsMessage(setupStatus({ spec })).blocks);
  };

  it('control plane only: no calls are promised, and it says traffic is not checked', () => {
    const t = text({ verdicts: ['control-plane'], requests: 20 });
    expect(t).toContain("verify istiod's endpoints (control plane only, traffic not checked)");
    expect(t).not.toContain('20 calls');
  });

  it('both verdicts (the default): the endpoints and the calls', () => {
    expect(text({ requests: 20, minShare: 0.2 })).toContain("verify istiod's endpoints and 20 calls, each version ≥ 20%");
  });

  it('data plane only: the calls', () => {
    expect(text({ verdicts: ['data-plane'], requests: 12, minShare: 0.1 })).toContain('verify with 12 calls, each version ≥ 10%');
  });
});
