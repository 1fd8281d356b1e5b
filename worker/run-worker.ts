import { NativeConnection, Worker } from '@temporalio/worker';
import type { Logger } from './logger';
import { startHealthServer, type HealthServer } from './health';
import { startDevServer, type DevServer } from './dev-server';

export interface RunWorkerOptions {
  /** Temporal frontend host:port; when unset the embedded dev server is started. */
  address?: string;
  /** For the embedded dev server. */
  devServer?: { cacheDir: string; dbFilename: string; port: number; uiPort: number };
  namespace: string;
  taskQueue: string;
  workflowsPath: string;
  activities: object;
  logger: Logger;
  metricsPort?: number;
  /** The Temporal UI to name in the ready line (TEMPORAL_UI_URL); the embedded server's own otherwise. */
  uiUrl?: string;
}

/** The one line a person at the terminal needs: what the worker waits for and how to give it a run. */
export function readyLine(where: { address: string; taskQueue: string; ui?: string }): string {
  const ui = where.ui ? ` (Temporal UI ${where.ui})` : '';
  return (
    `Ready: waiting for mesh runs on task queue "${where.taskQueue}" at ${where.address}${ui}. ` +
    'Start one from another terminal with `npm run mesh -- setup <local-context> <remote-context>`, or from Slack with `/mesh setup …` once `npm run bot` runs.'
  );
}

/**
 * Runs one worker until SIGINT/SIGTERM (the Temporal Runtime's shutdown signals): in-flight
 * activities get the grace time to finish, then everything this process started is closed.
 */
export async function runWorker(opts: RunWorkerOptions): Promise<void> {
  const { logger } = opts;
  let server: DevServer | undefined;
  let connection: NativeConnection | undefined;
  let health: HealthServer | undefined;
  try {
    if (!opts.address) {
      if (!opts.devServer) throw new Error('Set TEMPORAL_ADDRESS, or give the dev server settings to start one.');
      server = await startDevServer(opts.devServer);
      logger.info(
        { address: server.address, db: opts.devServer.dbFilename, ui: `http://127.0.0.1:${opts.devServer.uiPort}` },
        'embedded Temporal dev server started',
      );
    }
    const address = opts.address ?? server!.address;
    connection = await NativeConnection.connect({ address });
    if (opts.metricsPort !== undefined) health = await startHealthServer(opts.metricsPort);
    const worker = await Worker.create({
      connection,
      namespace: opts.namespace,
      taskQueue: opts.taskQueue,
      workflowsPath: opts.workflowsPath,
      activities: opts.activities,
      shutdownGraceTime: '10s',
    });
    health?.setState('RUNNING');
    logger.info({ address, namespace: opts.namespace, taskQueue: opts.taskQueue }, 'worker polling');
    logger.info(readyLine({ address, taskQueue: opts.taskQueue, ui: opts.uiUrl ?? (server ? `http://127.0.0.1:${opts.devServer!.uiPort}` : undefined) }));
    await worker.run();
    logger.info('worker stopped');
  } finally {
    health?.setState('STOPPED');
    await health?.close();
    await connection?.close();
    await server?.stop();
  }
}
