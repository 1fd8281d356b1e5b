import { startClusters } from './index';

/** `npm run clusters`: starts `local` and `remote`, prints how to use them, stops them on Ctrl-C. */
async function run(): Promise<void> {
  const started = Date.now();
  const clusters = await startClusters();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`Both test clusters are up (${seconds}s, ${clusters.pids().length} processes, ${clusters.rssMiB()} MiB RSS).`);
  console.log(`  kubeconfig: ${clusters.kubeconfigPath}`);
  console.log(`  contexts:   ${clusters.contexts.local}, ${clusters.contexts.remote}`);
  console.log(`  logs:       ${clusters.logDir}`);
  console.log(`  export KUBECONFIG=${clusters.kubeconfigPath} CTX_LOCAL=local CTX_REMOTE=remote`);
  console.log('Press Ctrl-C to stop them.');
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping the clusters…`);
    clusters.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

run().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
