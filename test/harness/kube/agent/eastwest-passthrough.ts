import { createConnection, createServer, type Server, type Socket } from 'node:net';
import {
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type V1EndpointSlice,
  type V1Pod,
  type V1Service,
} from '@kubernetes/client-node';
import { informer, type Cache } from './informer';

/**
 * Stand-in for the Envoy of an east-west gateway, for the one thing the control plane needs from
 * it: TLS passthrough of a port to a Service (samples/multicluster/expose-istiod.yaml carries
 * 15012 and 15017 to istiod, so that a remote cluster's webhook and proxies reach it). No Envoy can
 * be had here. For every LoadBalancer Service in front of gateway pods it listens on the
 * load-balancer address and, per connection, forwards bytes only when what a real gateway needs
 * is there: a Ready gateway pod behind the Service, an Istio Gateway selecting that pod with a
 * PASSTHROUGH server on the port, and a VirtualService of that Gateway routing the port to a
 * Service with a ready endpoint. Anything else is reset, as an unconfigured listener would, and a
 * connection whose route goes away is closed, as Envoy drains a removed listener's connections.
 * What it does not model: SNI matching (expose-istiod routes `*`), AUTO_PASSTHROUGH (data plane).
 */

interface IstioGateway extends KubernetesObject {
  spec?: { selector?: Record<string, string>; servers?: { port?: { number?: number }; tls?: { mode?: string } }[] };
}
interface IstioVirtualService extends KubernetesObject {
  spec?: { gateways?: string[]; tls?: { match?: { port?: number }[]; route?: { destination?: { host?: string; port?: { number?: number } } }[] }[] };
}

const selects = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

export class EastWestPassthrough {
  private readonly services: Cache<V1Service>;
  private readonly slices: Cache<V1EndpointSlice>;
  private readonly pods: Cache<V1Pod>;
  private readonly gateways: Cache<IstioGateway>;
  private readonly virtualServices: Cache<IstioVirtualService>;
  private readonly listeners = new Map<string, Server>();
  private readonly connections = new Set<{ client: Socket; upstream: Socket; address: string; port: number; target: string }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    kc: KubeConfig,
    private readonly log: (line: string) => void,
  ) {
    const core = kc.makeApiClient(CoreV1Api);
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const istio = <T extends KubernetesObject>(plural: string) =>
      informer<T>(kc, `/apis/networking.istio.io/v1/${plural}`, () => custom.listClusterCustomObject({ group: 'networking.istio.io', version: 'v1', plural }) as Promise<KubernetesListObject<T>>, log);
    this.services = informer(kc, '/api/v1/services', () => core.listServiceForAllNamespaces(), log);
    this.slices = informer(kc, '/apis/discovery.k8s.io/v1/endpointslices', () => discovery.listEndpointSliceForAllNamespaces(), log);
    this.pods = informer(kc, '/api/v1/pods', () => core.listPodForAllNamespaces(), log);
    this.gateways = istio<IstioGateway>('gateways');
    this.virtualServices = istio<IstioVirtualService>('virtualservices');
  }

  async start(): Promise<void> {
    await Promise.all([this.services, this.slices, this.pods, this.gateways, this.virtualServices].map((i) => i.start()));
    const reconcile = () => this.reconcileListeners();
    for (const event of ['add', 'update', 'delete'] as const) this.services.on(event, reconcile);
    this.timer = setInterval(() => {
      reconcile();
      this.drainUnrouted();
    }, 1_000);
    reconcile();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const c of this.connections) c.client.destroy();
    await Promise.all([...this.listeners.values()].map((s) => new Promise((r) => s.close(r))));
    await Promise.all([this.services, this.slices, this.pods, this.gateways, this.virtualServices].map((i) => i.stop()));
  }

  /** One listener per load-balancer address and port of every Service that selects pods. */
  private reconcileListeners(): void {
    const wanted = new Map<string, { address: string; port: number; service: V1Service }>();
    for (const svc of this.services.list()) {
      const address = svc.status?.loadBalancer?.ingress?.[0]?.ip;
      if (svc.spec?.type !== 'LoadBalancer' || !address || !svc.spec.selector) continue;
      for (const p of svc.spec.ports ?? []) wanted.set(`${address}:${p.port}`, { address, port: p.port, service: svc });
    }
    for (const [key, server] of this.listeners) {
      if (!wanted.has(key)) {
        server.close();
        this.listeners.delete(key);
      }
    }
    for (const [key, { address, port, service }] of wanted) {
      if (this.listeners.has(key)) continue;
      const server = createServer((socket) => this.accept(socket, address, port, `${service.metadata?.namespace}/${service.metadata?.name}`));
      server.on('error', (err) => this.log(`listen ${key}: ${err.message}`));
      server.listen(port, address);
      this.listeners.set(key, server);
    }
  }

  private accept(socket: Socket, address: string, port: number, serviceRef: string): void {
    const target = this.route(address, port);
    if (typeof target === 'string') {
      this.log(`${address}:${port} (${serviceRef}): connection reset: ${target}`);
      socket.resetAndDestroy();
      return;
    }
    const upstream = createConnection(target.port, target.address);
    const connection = { client: socket, upstream, address, port, target: `${target.address}:${target.port}` };
    this.connections.add(connection);
    this.log(`${address}:${port} (${serviceRef}) → ${connection.target}`);
    const done = () => {
      this.connections.delete(connection);
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', done).on('close', done);
    upstream.on('error', done).on('close', done);
    socket.pipe(upstream).pipe(socket);
  }

  /** Closes the connections whose route is gone or now leads elsewhere. */
  private drainUnrouted(): void {
    for (const c of this.connections) {
      const route = this.route(c.address, c.port);
      const now = typeof route === 'string' ? route : `${route.address}:${route.port}`;
      if (now === c.target) continue;
      this.log(`${c.address}:${c.port} → ${c.target}: closed (${typeof route === 'string' ? route : `now routed to ${now}`})`);
      c.client.destroy();
    }
  }

  /** Where a real gateway would pass this connection, or why it would not. */
  private route(address: string, port: number): { address: string; port: number } | string {
    const service = this.services.list().find((s) => s.status?.loadBalancer?.ingress?.[0]?.ip === address);
    if (!service) return 'no Service has this address any more';
    const gatewayPods = this.readyPods(service);
    if (gatewayPods.length === 0) return `no Ready gateway pod behind Service ${service.metadata?.namespace}/${service.metadata?.name}`;
    const gateways = this.gateways.list().filter((g) =>
      gatewayPods.some((p) => selects(g.spec?.selector, p.metadata?.labels)) &&
      (g.spec?.servers ?? []).some((s) => s.port?.number === port && s.tls?.mode === 'PASSTHROUGH'),
    );
    if (gateways.length === 0) return `no Istio Gateway selects the gateway pods with a PASSTHROUGH server on ${port}`;
    for (const gw of gateways) {
      const gwNs = gw.metadata?.namespace ?? '';
      const names = [`${gwNs}/${gw.metadata?.name}`];
      for (const vs of this.virtualServices.list()) {
        const vsNs = vs.metadata?.namespace ?? '';
        if (!(vs.spec?.gateways ?? []).some((g) => names.includes(g.includes('/') ? g : `${vsNs}/${g}`))) continue;
        const route = (vs.spec?.tls ?? []).find((r) => (r.match ?? [{}]).some((m) => m.port === undefined || m.port === port));
        const destination = route?.route?.[0]?.destination;
        if (!destination?.host) continue;
        const [svcName, svcNs = vsNs] = destination.host.split('.');
        const backend = this.services.get(svcName, svcNs);
        const servicePort = backend?.spec?.ports?.find((p) => p.port === (destination.port?.number ?? port));
        if (!backend || !servicePort) return `VirtualService ${vsNs}/${vs.metadata?.name} routes ${port} to ${destination.host}:${destination.port?.number}, which does not exist`;
        const endpoint = this.readyEndpoint(backend, servicePort.name ?? '');
        if (!endpoint) return `${destination.host} has no ready endpoint`;
        return endpoint;
      }
    }
    return `no VirtualService routes port ${port} of the gateway`;
  }

  private slicesOf(service: V1Service): V1EndpointSlice[] {
    return this.slices
      .list(service.metadata?.namespace)
      .filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === service.metadata?.name);
  }

  private readyPods(service: V1Service): V1Pod[] {
    return this.slicesOf(service)
      .flatMap((s) => s.endpoints ?? [])
      .filter((e) => e.conditions?.ready !== false && e.targetRef?.kind === 'Pod')
      .map((e) => this.pods.get(e.targetRef!.name!, e.targetRef!.namespace))
      .filter((p): p is V1Pod => !!p);
  }

  private readyEndpoint(service: V1Service, portName: string): { address: string; port: number } | undefined {
    for (const slice of this.slicesOf(service)) {
      const port = slice.ports?.find((p) => (p.name ?? '') === portName)?.port;
      const endpoint = (slice.endpoints ?? []).find((e) => e.conditions?.ready !== false);
      if (port && endpoint) return { address: endpoint.addresses[0], port };
    }
    return undefined;
  }
}
