import { makeInformer, type Informer, type KubeConfig, type KubernetesListObject, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';

export type Cache<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

/**
 * client-node's informer (list, then watch; relists on 410), restarted after any other error
 * with a delay, as a controller's informer would. `log` hears each restart.
 */
export function informer<T extends KubernetesObject>(
  kc: KubeConfig,
  path: string,
  list: () => Promise<KubernetesListObject<T>>,
  log: (line: string) => void,
): Cache<T> {
  const inf = makeInformer<T>(kc, path, list);
  let stopped = false;
  let lastError = '';
  inf.on('error', (err: unknown) => {
    if (stopped) return;
    // A resource whose CRD is not installed yet fails the same way every second: say it once.
    const code = (err as { code?: number }).code;
    const message = code ? `HTTP ${code}` : err instanceof Error ? err.message : String(err);
    if (message !== lastError) log(`informer ${path}: ${message}; restarting every 1s until it lists`);
    lastError = message;
    setTimeout(() => {
      if (!stopped) inf.start().catch(() => undefined);
    }, 1_000);
  });
  const stop = inf.stop.bind(inf);
  inf.stop = async () => {
    stopped = true;
    await stop();
  };
  return inf;
}
