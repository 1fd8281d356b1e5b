// The worker's workflowsPath: every workflow the meshops task queue runs.
export { meshSetup } from './meshSetup';
export { meshTeardown } from './meshTeardown';
export { meshVerify } from './meshVerify';
