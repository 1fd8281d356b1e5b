// A worker process for tests that kill and restart workers: the product's runWorker with test
// workflows and activities. Configured by the environment the test passes.
import { runWorker, type RunWorkerOptions } from '../../worker/run-worker';
import { createLogger, installTemporalLogging } from '../../worker/logger';
import { createCountdownActivities } from './countdown-activities';
import { FakeStepActivities } from './fake-step-activities';
import { meshopsCacheDir } from './kube/binaries';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`worker-process: ${name} is required`);
  return value;
};

/** With TEST_DEV_SERVER_DB the worker starts its own embedded dev server on that SQLite file. */
function server(): Pick<RunWorkerOptions, 'address' | 'devServer'> {
  const db = process.env.TEST_DEV_SERVER_DB;
  if (!db) return { address: env('TEMPORAL_ADDRESS') };
  const cacheDir = meshopsCacheDir();
  return { devServer: { cacheDir, dbFilename: db, port: Number(env('TEST_DEV_SERVER_PORT')), uiPort: Number(env('TEST_DEV_SERVER_UI_PORT')) } };
}

/** TEST_ACTIVITIES picks the activities: `countdown` (default) or `mesh` (fake steps, behaviours from TEST_FAKE_BEHAVIOURS). */
function activities(): object {
  if (process.env.TEST_ACTIVITIES === 'mesh') {
    const fakes = new FakeStepActivities(JSON.parse(process.env.TEST_FAKE_BEHAVIOURS ?? '{}'), env('TEST_JOURNAL'));
    return { ...fakes.activities(), notify: async () => ({}) };
  }
  return createCountdownActivities(env('TEST_JOURNAL'), Number(env('TEST_SLOW_TICK')), Number(env('TEST_SLOW_MS')));
}

async function run(): Promise<void> {
  const logger = createLogger('info', 'test-worker');
  installTemporalLogging(logger);
  await runWorker({
    ...server(),
    metricsPort: process.env.TEST_METRICS_PORT ? Number(process.env.TEST_METRICS_PORT) : undefined,
    namespace: 'default',
    taskQueue: env('MESHOPS_TASK_QUEUE'),
    workflowsPath: require.resolve(env('TEST_WORKFLOWS')),
    activities: activities(),
    logger,
  });
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
