import { createServer, type Server } from 'node:http';
import { Registry, collectDefaultMetrics, Gauge } from 'prom-client';

export interface HealthServer {
  registry: Registry;
  setState(state: string): void;
  close(): Promise<void>;
}

/** /healthz answers 200 while the worker runs, 503 otherwise; /metrics is Prometheus text. */
export async function startHealthServer(port: number, host = '0.0.0.0'): Promise<HealthServer> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'meshops_worker_' });
  let current = 'INITIALIZED';
  const state = new Gauge({
    name: 'meshops_worker_running',
    help: '1 while the Temporal worker polls its task queue',
    registers: [registry],
  });
  const server: Server = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(current === 'RUNNING' ? 200 : 503, { 'content-type': 'text/plain' }).end(current);
    } else if (req.url === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (err: Error) => res.writeHead(500).end(err.message),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return {
    registry,
    setState(next) {
      current = next;
      state.set(next === 'RUNNING' ? 1 : 0);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
