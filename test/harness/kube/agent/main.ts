import { readFileSync, writeFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import type { AgentConfig } from './launch';
import { EastWestPassthrough } from './eastwest-passthrough';
import { KubeletStandIn } from './kubelet';
import { LoadBalancerController } from './load-balancer';
import { ProcessPods, runsAsProcess } from './process-pods';

/**
 * One test cluster's agent, run inside the test network namespace (where pod and load-balancer
 * addresses are reachable): what a cloud and a kubelet would do for the cluster beyond kwok.
 * Logs go to stdout (the cluster's `<name>-agent.log`); SIGTERM stops every part and the
 * processes it runs.
 */
async function run(configFile: string): Promise<void> {
  const config = JSON.parse(readFileSync(configFile, 'utf8')) as AgentConfig;
  const kc = new KubeConfig();
  kc.loadFromFile(config.kubeconfig);
  const log = (part: string) => (line: string) => console.log(`${new Date().toISOString()} ${part}: ${line}`);

  const parts = [
    new LoadBalancerController(kc, config.loadBalancerRange, log('load-balancer')),
    new KubeletStandIn(kc, {
      images: new Set(config.images),
      runsAsProcess,
      log: log('kubelet'),
    }),
    new ProcessPods(kc, config, log('process-pods')),
    new EastWestPassthrough(kc, log('east-west stand-in')),
  ];
  for (const part of parts) await part.start();
  writeFileSync(`${configFile}.ready`, String(process.pid));
  log('agent')(`started for cluster ${config.cluster}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('agent')(`${signal}: stopping`);
    Promise.allSettled(parts.map((p) => p.stop())).then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

run(process.argv[2]).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
