import type { MeshClient } from '../client';

/** The verbs the bot calls; MeshClient provides them over Temporal. */
export type MeshOps = Pick<MeshClient, 'startSetup' | 'teardown' | 'verify' | 'approve' | 'status' | 'cancel' | 'listRuns'>;
