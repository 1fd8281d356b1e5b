import {
  CoreV1Api,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type KubeConfig,
  type V1Service,
} from '@kubernetes/client-node';

/**
 * Plays a cloud's service controller: every `type: LoadBalancer` Service gets
 * status.loadBalancer.ingress[0].ip from a /24 documentation range (never contacted).
 */
export class LoadBalancerController {
  private readonly core: CoreV1Api;
  private readonly prefix: string;
  private readonly assigned = new Map<string, string>();
  private request: AbortController | undefined;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly kc: KubeConfig,
    range: string,
    private readonly log: (line: string) => void,
  ) {
    const match = /^(\d+\.\d+\.\d+)\.0\/24$/.exec(range);
    if (!match) throw new Error(`load-balancer range must be an a.b.c.0/24 block, got ${range}`);
    this.prefix = `${match[1]}.`;
    this.core = kc.makeApiClient(CoreV1Api);
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.request = await new Watch(this.kc).watch(
      '/api/v1/services',
      { allowWatchBookmarks: true },
      (phase, service: V1Service) => {
        if (phase === 'ADDED' || phase === 'MODIFIED') this.reconcile(service);
        if (phase === 'DELETED' && service.metadata?.uid) this.assigned.delete(service.metadata.uid);
      },
      (err) => this.restart(err),
    );
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    this.request?.abort();
  }

  private restart(err: unknown): void {
    if (this.stopped) return;
    // client-node ends a watch after 30 s without events; that restart is routine and not logged.
    const idle = err instanceof Error && err.name === 'TimeoutError';
    if (!idle) this.log(`watch ended (${err ? String(err) : 'closed by the server'}); restarting`);
    this.restartTimer = setTimeout(
      () => {
        this.start().catch((e) => this.restart(e));
      },
      idle ? 0 : 1_000,
    );
  }

  private reconcile(service: V1Service): void {
    const { uid, name, namespace } = service.metadata ?? {};
    if (service.spec?.type !== 'LoadBalancer' || !uid || !name || !namespace) return;
    const current = service.status?.loadBalancer?.ingress?.[0]?.ip;
    if (current) {
      this.assigned.set(uid, current);
      return;
    }
    const ip = this.assigned.get(uid) ?? this.nextAddress();
    this.assigned.set(uid, ip);
    this.core
      .patchNamespacedServiceStatus(
        { name, namespace, body: { status: { loadBalancer: { ingress: [{ ip, ipMode: 'VIP' }] } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )
      .then(() => this.log(`${namespace}/${name} ingress ${ip}`))
      .catch((err: Error) => this.log(`${namespace}/${name}: patching status failed: ${err.message}`));
  }

  private nextAddress(): string {
    const used = new Set(this.assigned.values());
    for (let host = 1; host < 255; host++) {
      const ip = `${this.prefix}${host}`;
      if (!used.has(ip)) return ip;
    }
    throw new Error(`load-balancer range ${this.prefix}0/24 is exhausted`);
  }
}
