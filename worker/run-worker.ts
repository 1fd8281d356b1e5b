// Not re-exported from the package index in 1.24.
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createWorkflowSupportActivities } from '../activities/temporal';
import { MESH_SEARCH_ATTRIBUTES } from '../common/search-attributes';
import { installTemporalRuntime, type Logger } from './logger';
import { startHealthServer, type HealthServer } from './health';
import { freeLoopbackPort, startDevServer, type DevServer } from './dev-server';
import { MESH_WORKER_OPTIONS } from './worker-options';

export { SHUTDOWN_GRACE_TIME } from './worker-options';

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
    // The SDK's own metrics: its Prometheus exporter on a loopback port, served again in /metrics.
    const sdkMetricsPort = opts.metricsPort !== undefined ? await freeLoopbackPort() : undefined;
    const installed = installTemporalRuntime(sdkMetricsPort !== undefined ? { prometheusBindAddress: `127.0.0.1:${sdkMetricsPort}` } : {});
    if (opts.metricsPort !== undefined) {
      if (!installed) logger.warn('the Temporal Runtime was installed before runWorker: /metrics carries no Temporal SDK metrics');
      health = await startHealthServer(opts.metricsPort, { sdkMetricsUrl: installed ? `http://127.0.0.1:${sdkMetricsPort}/metrics` : undefined });
      health.setState('STARTING');
    }
    if (!opts.address) {
      if (!opts.devServer) throw new Error('Set TEMPORAL_ADDRESS, or give the dev server settings to start one.');
      server = await startDevServer({ ...opts.devServer, warn: (fields, message) => logger.warn(fields, message) });
      logger.info(
        { address: server.address, db: opts.devServer.dbFilename, ui: `http://127.0.0.1:${opts.devServer.uiPort}`, log: server.logFile },
        'embedded Temporal dev server started',
      );
    }
    const address = opts.address ?? server!.address;
    connection = await NativeConnection.connect({ address });
    const conn = connection;
    const registered = await ensureSearchAttributes(connection, opts.namespace);
    if (registered.length) logger.info({ namespace: opts.namespace, searchAttributes: registered }, 'registered the mesh search attributes');
    const worker = await Worker.create({
      connection,
      namespace: opts.namespace,
      taskQueue: opts.taskQueue,
      workflowsPath: opts.workflowsPath,
      // What the workflows ask of Temporal and the schema (the input check, the pair's running run) is
      // the worker's own, whatever step activities it was given.
      activities: { ...createWorkflowSupportActivities(), ...opts.activities },
      ...MESH_WORKER_OPTIONS,
    });
    health?.follow({
      state: () => worker.getState(),
      pollerProblems: () => {
        const status = worker.getStatus();
        return [
          ...(status.workflowPollerState !== 'POLLING' ? [`workflow poller ${status.workflowPollerState}`] : []),
          ...(status.activityPollerState !== 'POLLING' ? [`activity poller ${status.activityPollerState}`] : []),
        ];
      },
      checkServer: async () => {
        await conn.withDeadline(Date.now() + 2_000, () => conn.workflowService.getSystemInfo({}));
      },
    });
    logger.info({ address, namespace: opts.namespace, taskQueue: opts.taskQueue }, 'worker polling');
    logger.info(readyLine({ address, taskQueue: opts.taskQueue, ui: opts.uiUrl ?? (server ? `http://127.0.0.1:${opts.devServer!.uiPort}` : undefined) }));
    try {
      await worker.run();
    } finally {
      health?.setState(worker.getState());
    }
    logger.info('worker stopped');
  } finally {
    await health?.close();
    await connection?.close();
    await server?.stop();
  }
}

type OperatorConnection = Pick<NativeConnection, 'operatorService'>;
const GRPC_ALREADY_EXISTS = 6;
const GRPC_PERMISSION_DENIED = 7;

/**
 * Makes sure the namespace has the typed search attributes mesh runs set
 * (common/search-attributes.ts): lists them and adds the missing ones through the OperatorService.
 * Another worker adding them at the same moment ("already exists") is fine. Returns the names it
 * added. A server that refuses (no permission, Temporal Cloud) is an error naming the fix.
 */
export async function ensureSearchAttributes(connection: OperatorConnection, namespace: string): Promise<string[]> {
  const wanted = MESH_SEARCH_ATTRIBUTES.map((k) => ({ name: k.name, type: k.type, indexed: encodeSearchAttributeIndexedValueType(k.type)! }));
  const howTo = wanted.map((w) => `temporal operator search-attribute create --namespace ${namespace} --name ${w.name} --type Keyword`).join('\n  ');
  let existing: Record<string, unknown>;
  try {
    existing = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  } catch (err) {
    throw searchAttributeError(err, namespace, 'list', howTo);
  }
  const wrongType = wanted.filter((w) => existing[w.name] !== undefined && existing[w.name] !== w.indexed);
  if (wrongType.length) {
    throw new Error(
      `Namespace ${namespace} has the search attribute(s) ${wrongType.map((w) => w.name).join(', ')} with a type other than ${wrongType[0]!.type}; ` +
        'mesh runs could not set them. Remove them (`temporal operator search-attribute remove`) and let the worker add them again, or ask the cluster\'s operator to.',
    );
  }
  const missing = wanted.filter((w) => existing[w.name] === undefined);
  if (!missing.length) return [];
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing.map((w) => [w.name, w.indexed])) });
  } catch (err) {
    if ((err as { code?: number }).code === GRPC_ALREADY_EXISTS) return [];
    throw searchAttributeError(err, namespace, 'add', howTo);
  }
  return missing.map((w) => w.name);
}

function searchAttributeError(err: unknown, namespace: string, verb: 'list' | 'add', howTo: string): Error {
  const message = (err as Error).message.replace(/\.+$/, '');
  const denied = (err as { code?: number }).code === GRPC_PERMISSION_DENIED;
  return new Error(
    `The worker could not ${verb} the search attributes of namespace ${namespace}: ${message}. ` +
      (denied
        ? `Its credentials lack the permission for the OperatorService's ${verb === 'add' ? 'AddSearchAttributes' : 'ListSearchAttributes'} (a namespace or cluster admin has it). `
        : '') +
      `Mesh runs set MeshPhase, MeshPair and MeshRequester (Keyword); have an admin create them once:\n  ${howTo}\n` +
      '(on Temporal Cloud: `tcld namespace search-attributes add`), then start the worker again.',
    { cause: err },
  );
}
