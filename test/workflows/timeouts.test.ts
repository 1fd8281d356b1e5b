import { Client, Connection } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { NativeConnection, Worker } from '@temporalio/worker';
import { DEFAULT_STEP_TIMEOUTS } from '../../activities/istio/steps/step-context';
import { HEARTBEAT_EVERY_MS } from '../../activities/kube/activity-context';
import { MAX_RELIST_DELAY_MS } from '../../activities/kube/wait-for';
import { CLEANUP, INSTALL, QUICK_READ, VERIFY, WAIT, nextAttempt, type StepPreset } from '../../workflows/retry-presets';
import { MESH_WORKER_OPTIONS } from '../../worker/worker-options';
import { startMeshTestWorker } from '../harness/mesh-test-worker';
import { testTemporalAddress } from '../harness/temporal-server';
import type { FlakyActivities } from './retry-bound-workflow';

const PRESETS = { QUICK_READ, INSTALL, WAIT, VERIFY, CLEANUP };
const throttleMs = msToNumber(MESH_WORKER_OPTIONS.maxHeartbeatThrottleInterval);

describe('heartbeat timeouts and the worker throttle', () => {
  it.each(Object.entries(PRESETS).filter(([, p]) => p.activity.heartbeatTimeout !== undefined))(
    '%s: a heartbeat sent at the activities\' slowest cadence, then held by the throttle, arrives with the timeout at least half left',
    (_, preset) => {
      const timeoutMs = msToNumber(preset.activity.heartbeatTimeout!);
      // The SDK holds a heartbeat back for 80% of the heartbeat timeout, at most maxHeartbeatThrottleInterval.
      const heldMs = Math.min(0.8 * timeoutMs, throttleMs);
      expect(2 * (HEARTBEAT_EVERY_MS + heldMs)).toBeLessThanOrEqual(timeoutMs);
    },
  );

  it('the test worker runs with the production worker\'s settings', async () => {
    const worker = await startMeshTestWorker(`timeouts-options-${Date.now()}`, {});
    try {
      expect(worker.options.maxHeartbeatThrottleIntervalMs).toBe(throttleMs);
      expect(worker.options.defaultHeartbeatThrottleIntervalMs).toBe(msToNumber(MESH_WORKER_OPTIONS.defaultHeartbeatThrottleInterval));
      expect(worker.options.shutdownGraceTimeMs).toBe(msToNumber(MESH_WORKER_OPTIONS.shutdownGraceTime));
    } finally {
      await worker.stop();
    }
  });
});

describe('cleanup', () => {
  const startToCloseMs = msToNumber(CLEANUP.activity.startToCloseTimeout);

  it('its start-to-close exceeds the sum of its waits, with as long again for the renders and calls around them', () => {
    // The waits share one budget of deleteMs; the one that ends it can overrun by a reconnect delay.
    const waitsMs = DEFAULT_STEP_TIMEOUTS.deleteMs + MAX_RELIST_DELAY_MS;
    expect(startToCloseMs).toBeGreaterThanOrEqual(2 * waitsMs);
  });

  it('retries stop at the overall bound when every attempt times out', () => {
    const boundMs = msToNumber(CLEANUP.retry.maximumElapsed!);
    let elapsedMs = 0;
    let outcome: ReturnType<typeof nextAttempt>;
    for (let attempt = 1; ; attempt++) {
      elapsedMs += startToCloseMs;
      outcome = nextAttempt(CLEANUP, attempt, elapsedMs);
      if ('giveUp' in outcome) break;
      elapsedMs += outcome.delayMs;
    }
    expect(outcome).toMatchObject({ bound: 'elapsed', giveUp: expect.stringMatching(/^gave up after \d+ attempts in \S+: another could not finish within the 45 minutes bound/) });
    expect(elapsedMs).toBeLessThanOrEqual(boundMs);
    expect(nextAttempt(CLEANUP, 1, startToCloseMs)).toHaveProperty('delayMs');
  });

  it('retries that fail fast stop at maximumAttempts, waiting Temporal\'s backoff between them', () => {
    const delays: number[] = [];
    let outcome = nextAttempt(CLEANUP, 1, 0);
    for (let attempt = 1; 'delayMs' in outcome; outcome = nextAttempt(CLEANUP, ++attempt, 0)) delays.push(outcome.delayMs);
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    expect(outcome).toEqual({ bound: 'attempts', giveUp: `gave up after ${CLEANUP.retry.maximumAttempts} attempts` });
  });
});

describe('withRetries on the dev server', () => {
  let nativeConnection: NativeConnection;
  let connection: Connection;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `timeouts-${Date.now()}`;
  let attempts = 0;

  beforeAll(async () => {
    nativeConnection = await NativeConnection.connect({ address: testTemporalAddress() });
    connection = await Connection.connect({ address: testTemporalAddress() });
    const activities: FlakyActivities = {
      flaky: async () => {
        attempts++;
        throw ApplicationFailure.retryable('the API server answered 503');
      },
    };
    worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('./retry-bound-workflow'),
      activities,
      ...MESH_WORKER_OPTIONS,
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await connection?.close();
    await nativeConnection?.close();
  });

  it('gives up at the overall bound, saying after how many attempts and how long', async () => {
    const preset: StepPreset = {
      activity: { startToCloseTimeout: '1s', retry: { maximumAttempts: 1 } },
      retry: { initialInterval: '300ms', backoffCoefficient: 1, maximumInterval: '300ms', maximumAttempts: 30, maximumElapsed: '3s' },
    };
    const client = new Client({ connection });
    const message: string = await client.workflow.execute('retryBound', { taskQueue, workflowId: `retry-bound-${Date.now()}`, args: [preset] });
    const [, n] = /the API server answered 503 \(gave up after (\d+) attempts in \S+: another could not finish within the 3s bound/.exec(message) ?? [];
    expect(Number(n)).toBe(attempts);
    expect(attempts).toBeLessThan(preset.retry.maximumAttempts);
  });
});
