import { join } from 'node:path';
import { spawnTs, type Child } from './child-process';
import { testTemporalAddress } from './temporal-server';

const WORKER_ENTRY = join(__dirname, 'worker-process.ts');

export interface TestWorkerProcess {
  taskQueue: string;
  /** Module whose exports are the workflows, e.g. workflows/index.ts. */
  workflows: string;
  /** File the test activities append `start x` / `end x` lines to. */
  journal: string;
  logFile: string;
  /** The activity set's own settings (TEST_ACTIVITIES, TEST_SLOW_TICK, …). */
  env: Record<string, string>;
}

/** Spawns test/harness/worker-process.ts against the run's shared Temporal server, to be killed and restarted. */
export function spawnTestWorker(opts: TestWorkerProcess): Child {
  return spawnTs(
    WORKER_ENTRY,
    {
      TEMPORAL_ADDRESS: testTemporalAddress(),
      MESHOPS_TASK_QUEUE: opts.taskQueue,
      TEST_WORKFLOWS: opts.workflows,
      TEST_JOURNAL: opts.journal,
      ...opts.env,
    },
    opts.logFile,
  );
}
