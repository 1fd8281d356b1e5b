import { Client, Connection } from '@temporalio/client';
import { MeshClient } from '../../client/mesh-client';
import { startMeshTestWorker, type MeshTestWorker } from './mesh-test-worker';
import { testTemporalAddress } from './temporal-server';

export interface MeshTestEnv {
  taskQueue: string;
  client: Client;
  mesh: MeshClient;
}

/**
 * For a describe block: a Temporal client, a MeshClient and a real worker running workflows/ with
 * the given activities, on a task queue of the block's own. Filled in by beforeAll, closed by afterAll.
 */
export function useMeshTestEnv(name: string, activities: () => object): MeshTestEnv {
  const env = { taskQueue: `${name}-${Date.now()}` } as MeshTestEnv;
  let connection: Connection | undefined;
  let worker: MeshTestWorker | undefined;
  beforeAll(async () => {
    connection = await Connection.connect({ address: testTemporalAddress() });
    env.client = new Client({ connection });
    env.mesh = new MeshClient({ client: env.client, taskQueue: env.taskQueue });
    worker = await startMeshTestWorker(env.taskQueue, activities());
  });
  afterAll(async () => {
    await worker?.stop();
    await connection?.close();
  });
  return env;
}
