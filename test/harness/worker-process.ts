// A worker process for tests that kill and restart workers: the product's runWorker with test
// workflows and activities. Configured by the environment the test passes.
import { runWorker } from '../../worker/run-worker';
import { createLogger, installTemporalLogging } from '../../worker/logger';
import { createCountdownActivities } from './countdown-activities';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`worker-process: ${name} is required`);
  return value;
};

async function run(): Promise<void> {
  const logger = createLogger('info', 'test-worker');
  installTemporalLogging(logger);
  await runWorker({
    address: env('TEMPORAL_ADDRESS'),
    namespace: 'default',
    taskQueue: env('MESHOPS_TASK_QUEUE'),
    workflowsPath: require.resolve(env('TEST_WORKFLOWS')),
    activities: createCountdownActivities(env('TEST_JOURNAL'), Number(env('TEST_SLOW_TICK')), Number(env('TEST_SLOW_MS'))),
    logger,
  });
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
