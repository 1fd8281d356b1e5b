import { MeshSpec, meshSpecFor } from '../../../common/mesh-spec';
import type { MeshStatus, StepState } from '../../../common/status';
import type { VerifyResult } from '../../../common/verify-result';
import { SETUP_STEPS, type StepId } from '../../../common/steps';

/** A setup run's status as the workflow reports it; `states` overrides steps, the rest are pending. */
export function setupStatus(overrides: Partial<MeshStatus> = {}, states: Partial<Record<StepId, StepState>> = {}): MeshStatus {
  return {
    workflowId: 'mesh-setup/local--remote',
    kind: 'setup',
    phase: 'running',
    requester: { id: 'UREQUESTER', groups: [], via: 'slack', channel: 'CMESH' },
    spec: MeshSpec.parse({ ...meshSpecFor('local', 'remote'), approval: { approvers: { users: ['UAPPROVER'], groups: ['SONCALL'] } } }),
    steps: SETUP_STEPS.map((id) => ({ id, state: states[id] ?? { state: 'pending' } })),
    approvals: [],
    facts: {},
    startedAt: '2026-11-26T12:00:00.000Z',
    ...overrides,
  };
}

/** A verify whose control plane failed: meshNetworks still names the gateway's old address. No data plane ran. */
export const DRIFTED: VerifyResult = {
  passed: false,
  reason: "Control plane: istiod's endpoints are not the split: network2's traffic goes to 10.1.0.20:15443, which is no longer the remote gateway's load balancer (198.51.100.200).",
  controlPlane: {
    passed: false,
    reason: "istiod's endpoints are not the split: network2's traffic goes to 10.1.0.20:15443, which is no longer the remote gateway's load balancer (198.51.100.200).",
    endpoints: [
      { endpoint: '10.244.0.5:5000', locality: 'region1/zone1', network: 'network1', weight: 1, kind: 'local-pod', what: 'local pod helloworld-v1-a' },
      { endpoint: '10.1.0.20:15443', locality: 'region2/zone2', network: 'network2', weight: 1, kind: 'stale-gateway', what: 'stale gateway from meshNetworks (the load balancer is 198.51.100.200)' },
    ],
    diagnostics: ["meshNetworks sends network2 to 10.1.0.20:15443, but the remote gateway's load balancer is 198.51.100.200. Fix: rerun patch-gateway."],
    warnings: [],
  },
  dataPlane: {
    checked: false,
    passed: false,
    reason: 'Traffic through the mesh was not checked: the spec asks only for control-plane (add verdicts=data-plane where pods run).',
    requests: 0,
    failures: 0,
    byVersion: {},
    byInstance: {},
    byEndpoint: {},
  },
};
