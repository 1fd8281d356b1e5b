export { MeshClient, MESH_WORKFLOW_TYPE, verifyScheduleId } from './mesh-client';
export type { MeshClientOptions, RunSummary, StartedRun, RequesterInput, ApprovalDecisionInput, RunKind } from './mesh-client';
export { ApprovalRefusedError, CancelRefusedError, MeshRunConflictError, RunNotFoundError, ScheduleConflictError } from './errors';
