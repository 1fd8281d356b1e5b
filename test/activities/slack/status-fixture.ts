import { MeshSpec, meshSpecFor } from '../../../common/mesh-spec';
import type { MeshStatus, StepState } from '../../../common/status';
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
