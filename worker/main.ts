import { homedir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { loadConfig } from '../common/load-config';
import { createActivities } from '../activities';
import { loadRootCaDir } from '../activities/istio/root-ca-files';
import { createLogger, installTemporalLogging } from './logger';
import { findIstioctl } from './istioctl';
import { runWorker } from './run-worker';

/** The activities read one kubeconfig file; a KUBECONFIG list is refused rather than cut short. */
function singleKubeconfig(value: string | undefined): string | undefined {
  const files = (value ?? '').split(':').filter(Boolean);
  if (files.length > 1) {
    throw new Error(
      `KUBECONFIG lists ${files.length} files; meshops reads one. Merge them: ` +
        '`KUBECONFIG=a:b kubectl config view --flatten > merged` and set KUBECONFIG=merged.',
    );
  }
  return files[0];
}

async function run(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'meshops-worker');
  installTemporalLogging(logger);
  const kubeconfigPath = singleKubeconfig(config.kubeconfig) ?? join(homedir(), '.kube', 'config');
  const { slack, temporal } = config;
  const activities = createActivities({
    logger,
    steps: {
      kubeconfigPath,
      istioctlPath: findIstioctl(config),
      allowDevIstioctl: config.allowDevIstioctl,
      logger,
      rootCa: config.rootCaDir ? loadRootCaDir(config.rootCaDir) : undefined,
    },
    slack: slack.botToken
      ? {
          // Temporal retries the notify activity; the client's own retries (minutes long) would outlast it.
          client: new WebClient(slack.botToken, {
            retryConfig: { retries: 2 },
            rejectRateLimitedCalls: true, // the notifier retries after Retry-After; the client must not stall the worker
            ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
          }),
          defaultChannel: slack.defaultChannel,
          temporalUiUrl: temporal.uiUrl ?? (temporal.address ? undefined : `http://127.0.0.1:${temporal.devServerUiPort}`),
          namespace: temporal.namespace,
        }
      : undefined,
  });
  logger.info({ kubeconfig: kubeconfigPath, notifier: slack.botToken ? 'slack' : 'log' }, 'meshops worker starting');
  await runWorker({
    address: temporal.address,
    devServer: {
      cacheDir: config.cacheDir,
      dbFilename: join(config.cacheDir, 'temporal-dev.db'),
      port: temporal.devServerPort,
      uiPort: temporal.devServerUiPort,
    },
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    workflowsPath: require.resolve('../workflows'),
    activities,
    logger,
    metricsPort: config.metricsPort,
    uiUrl: temporal.uiUrl,
  });
}

// Once the worker has drained, the process is done. A handle an activity forgot (as verify-split's
// port-forward tunnels once were) must not keep a stopped worker from exiting.
run().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
