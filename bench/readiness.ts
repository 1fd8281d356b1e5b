/**
 * Readiness detection: how soon after the last pod of a rollout turns Ready the product's wait
 * (waitForWorkloads, which wait-local and wait-remote use) returns, against
 * `kubectl wait --for=condition=Ready pod -l …` on the same pods, in the same run. The pods mount a
 * ConfigMap that does not exist yet, so the kubelet holds them in ContainerCreating; both waits are
 * started and given 2 s to settle (kubectl's start-up is not counted), then the ConfigMap is
 * created and the pods turn Ready. The moment the last one did is seen by a watch of the bench's
 * own. Runs on the test clusters (their own, started here). Writes bench/results/readiness.json.
 *
 *   npm run bench:readiness                  # 15 rollouts of 3 pods
 */
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { Watch, type V1Pod } from '@kubernetes/client-node';
import { applyObjects, deleteObjects } from '../activities/kube/apply';
import { KubeClients } from '../activities/kube/cluster-client';
import type { KubeObject } from '../activities/kube/kube-object';
import { podReady } from '../activities/kube/readiness';
import { waitForWorkloads } from '../activities/kube/waits';
import { findBinary, startClusters } from '../test/harness/kube';
import { latencyStats } from './latency-stats';
import { writeResult } from './write-result';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const REPLICAS = 3;
const run = promisify(execFile);

function deployment(ns: string): KubeObject[] {
  const labels = { app: 'ready-bench' };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'ready-bench', namespace: ns, labels },
      spec: {
        replicas: REPLICAS,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [{ name: 'app', image: 'docker.io/curlimages/curl:8.16.0', volumeMounts: [{ name: 'gate', mountPath: '/gate' }] }],
            volumes: [{ name: 'gate', configMap: { name: 'ready-gate' } }],
          },
        },
      },
    },
  ];
}

const gate = (ns: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ready-gate', namespace: ns }, data: { open: 'yes' } });

/** Resolves with the moment the watch saw the last of `count` pods Ready. */
function lastReady(kubeconfig: KubeClients, ns: string, count: number): { seen: Promise<number>; stop: () => void } {
  const client = kubeconfig.forContext('local');
  const ready = new Set<string>();
  let abort: (() => void) | undefined;
  const seen = new Promise<number>((resolve, reject) => {
    void new Watch(client.kubeConfig)
      .watch(`/api/v1/namespaces/${ns}/pods`, {}, (_type, pod: V1Pod) => {
        if (podReady(pod)) ready.add(pod.metadata!.name!);
        if (ready.size === count) resolve(performance.now());
      }, (err) => err && reject(err as Error))
      .then((req) => (abort = () => req.abort()), reject);
  });
  return { seen, stop: () => abort?.() };
}

async function main(): Promise<void> {
  const kubectl = findBinary('kubectl');
  const clusters = await startClusters();
  const clients = new KubeClients(clusters.kubeconfigPath);
  const local = clients.forContext('local');
  const product: number[] = [];
  const kubectlMs: number[] = [];
  /** Per round: (product's time from the common start) / (kubectl wait's). */
  const totals: number[] = [];
  /** From creating the ConfigMap to the last pod Ready: the kubelet stand-in's and kwok's part. */
  const releaseToReady: number[] = [];
  try {
    for (let r = -2; r < ROUNDS; r++) {
      const ns = `ready-bench-${r + 2}`;
      const watch = lastReady(clients, ns, REPLICAS);
      await applyObjects(local, deployment(ns));
      // kubectl wait needs the pods to exist: start both once the ReplicaSet has made them.
      for (;;) {
        const pods = await local.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=ready-bench' });
        if (pods.items.length >= REPLICAS) break;
        await new Promise((res) => setTimeout(res, 20));
      }
      const ours = waitForWorkloads(local, { namespace: ns, labelSelector: 'app=ready-bench', timeoutMs: 120_000 }).then(() => performance.now());
      const theirs = run(kubectl, ['--kubeconfig', clusters.kubeconfigPath, '--context', 'local', 'wait', '--for=condition=Ready', 'pod', '-l', 'app=ready-bench', '-n', ns, '--timeout=120s']).then(() => performance.now());
      await new Promise((res) => setTimeout(res, 2000));
      const startedAt = performance.now();
      await applyObjects(local, [gate(ns)]);
      const [readyAt, oursAt, theirsAt] = await Promise.all([watch.seen, ours, theirs]);
      watch.stop();
      void deleteObjects(local, deployment(ns).slice(0, 1)).catch(() => undefined);
      if (r < 0) continue;
      // unclipped: a waiter that returned before the bench's own watch saw the last Ready counts as negative
      product.push(oursAt - readyAt);
      kubectlMs.push(theirsAt - readyAt);
      totals.push((oursAt - startedAt) / (theirsAt - startedAt));
      releaseToReady.push(readyAt - startedAt);
    }
  } finally {
    await clusters.stop();
  }
  const p = latencyStats(product);
  const k = latencyStats(kubectlMs);
  writeResult('readiness', {
    benchmark: 'readiness detection: from the last pod turning Ready (seen by a watch) to waitForWorkloads returning, vs `kubectl wait --for=condition=Ready` on the same pods',
    unit: 'ms after the last pod turned Ready',
    rounds: ROUNDS,
    podsPerRound: REPLICAS,
    meshops: p,
    kubectlWait: k,
    latencyRatio: { p50: Math.round((p.p50 / Math.max(k.p50, 1)) * 100) / 100, p99: Math.round((p.p99 / Math.max(k.p99, 1)) * 100) / 100 },
    totalTimeRatio: latencyStats(totals),
    roundsBeforeTheBenchWatch: { meshops: product.filter((ms) => ms < 0).length, kubectlWait: kubectlMs.filter((ms) => ms < 0).length },
    configMapToLastPodReadyMs: latencyStats(releaseToReady),
    target: 'meshops <= 1.1x kubectl wait',
    note: 'waitForWorkloads also waits for the Deployment to be available (controller-manager updates its status after the pods), which kubectl wait on pods does not; totalTimeRatio is per round (meshops from the ConfigMap\'s creation to done) / (kubectl wait\'s)',
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
