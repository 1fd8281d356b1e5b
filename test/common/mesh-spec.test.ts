import { MeshSpec, clusterName, meshSpecFor } from '../../common/mesh-spec';
import { describeIssues } from '../../common/errors';
import { workflowIdFor } from '../../common/naming';

const errorsOf = (input: unknown): string => {
  const result = MeshSpec.safeParse(input);
  if (result.success) throw new Error('expected the spec to be refused');
  return describeIssues(result.error);
};

describe('MeshSpec', () => {
  it('gives the seed topology from two contexts: network1/network2, gates before install-remote and link-secret', () => {
    const spec = MeshSpec.parse(meshSpecFor('ctx-local', 'ctx-remote'));
    expect(spec.local).toEqual({ context: 'ctx-local', network: 'network1' });
    expect(spec.remote).toEqual({ context: 'ctx-remote', network: 'network2' });
    expect(spec.istio.profile).toBe('primary-remote');
    expect(spec.samples.namespace).toBe('sample');
    expect(spec.approval.gates).toEqual(['install-remote', 'link-secret']);
    expect(spec.approval.fourEyes).toBe(true);
    expect(spec.rollback).toBe(false);
  });

  it('refuses the same context twice and the same network twice, naming the field', () => {
    expect(errorsOf(meshSpecFor('a', 'a'))).toMatch(/remote\.context: local and remote must be two different kubeconfig contexts/);
    expect(errorsOf(meshSpecFor('a', 'b', { remote: { context: 'b', network: 'network1' } }))).toMatch(/remote\.network: .*different Istio networks/);
  });

  it('explains bad values with the right form', () => {
    expect(errorsOf(meshSpecFor('a', 'b', { meshId: 'Mesh_One' }))).toMatch(/meshId: use lower-case letters, digits and dashes/);
    expect(errorsOf(meshSpecFor('a', 'b', { approval: { timeout: 'soon' } }))).toMatch(/approval\.timeout: use a number and a unit, e\.g\. 30s/);
    expect(errorsOf(meshSpecFor('a', 'b', { approval: { gates: ['install-everything' as never] } }))).toMatch(/approval\.gates\.0/);
    expect(errorsOf(meshSpecFor('a b', 'c'))).toMatch(/local\.context: kubeconfig context names have no spaces/);
  });

  it('derives one workflow id per cluster pair and a DNS-safe cluster name', () => {
    expect(workflowIdFor('setup', 'Prod-EU', 'prod_us')).toBe('mesh/prod-eu--prod-us');
    // one mutating run per pair, whatever the order and kind
    expect(workflowIdFor('setup', 'a', 'b')).toBe(workflowIdFor('setup', 'b', 'a'));
    expect(workflowIdFor('teardown', 'b', 'a')).toBe(workflowIdFor('setup', 'a', 'b'));
    expect(workflowIdFor('verify', 'a', 'b')).toBe('mesh-verify/a--b');
    expect(clusterName({ context: 'gke_proj_europe-west1_c1', network: 'network1' })).toBe('gke-proj-europe-west1-c1');
  });
});
