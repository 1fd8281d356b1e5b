import { NativeConnection, Worker } from '@temporalio/worker';
import { testTemporalAddress } from './temporal-server';

export interface MeshTestWorker {
  taskQueue: string;
  stop(): Promise<void>;
}

/**
 * A real Worker on its own task queue running the product's workflows (workflows/index.ts) with
 * the activities a test passes. The bundle is built once per worker, a few seconds.
 */
export async function startMeshTestWorker(taskQueue: string, activities: object, namespace = 'default'): Promise<MeshTestWorker> {
  const connection = await NativeConnection.connect({ address: testTemporalAddress() });
  const worker = await Worker.create({
    connection,
    namespace,
    taskQueue,
    workflowsPath: require.resolve('../../workflows'),
    activities,
    // Heartbeats carry cancellation to activities; the default throttle (80% of the heartbeat
    // timeout) would let a cancelled fake step run on for seconds.
    maxHeartbeatThrottleInterval: '200ms',
  });
  const running = worker.run();
  return {
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
