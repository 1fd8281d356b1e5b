import { NativeConnection, Worker } from '@temporalio/worker';
import { createWorkflowSupportActivities } from '../../activities/temporal';
import { MESH_WORKER_OPTIONS } from '../../worker/worker-options';
import { testTemporalAddress } from './temporal-server';

export interface MeshTestWorker {
  taskQueue: string;
  /** The options the SDK compiled for this worker, so a test can check they are production's. */
  options: Worker['options'];
  stop(): Promise<void>;
}

/**
 * A real Worker on its own task queue running the product's workflows (workflows/index.ts) with
 * the activities a test passes, and production's Temporal settings (worker/worker-options.ts).
 * The bundle is built once per worker, a few seconds.
 */
export async function startMeshTestWorker(taskQueue: string, activities: object, namespace = 'default'): Promise<MeshTestWorker> {
  const connection = await NativeConnection.connect({ address: testTemporalAddress() });
  const worker = await Worker.create({
    connection,
    namespace,
    taskQueue,
    workflowsPath: require.resolve('../../workflows'),
    // The pair-run check and the input check are production's own: no fake.
    activities: { ...createWorkflowSupportActivities(), ...activities },
    ...MESH_WORKER_OPTIONS,
  });
  const running = worker.run();
  return {
    taskQueue,
    options: worker.options,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
