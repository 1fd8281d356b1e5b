import { NativeConnection, Worker } from '@temporalio/worker';
import { createPairRunActivities } from '../../activities/temporal/mutating-run';
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
    // The pair-run check asks the test's own Temporal server, as production's asks its own: no fake.
    activities: { ...createPairRunActivities(), ...activities },
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
