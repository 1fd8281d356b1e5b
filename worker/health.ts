import { createServer, type Server } from 'node:http';
import { Registry, collectDefaultMetrics, Gauge } from 'prom-client';

/** What /healthz reports: the worker's own state, and whether Temporal answers. */
export interface WorkerProbe {
  /** The SDK's Worker.getState(): INITIALIZED, RUNNING, STOPPING, DRAINING, DRAINED, STOPPED, FAILED. */
  state(): string;
  /** Poller states that are not POLLING (e.g. `activity poller FAILED`); empty when both poll. */
  pollerProblems(): string[];
  /** Resolves when the Temporal frontend answers; rejects with why not. */
  checkServer(): Promise<void>;
}

export interface HealthServer {
  registry: Registry;
  /** From now on /healthz follows this worker. */
  follow(probe: WorkerProbe): void;
  /** A state to report while no worker is followed (before Worker.create, after the worker has gone). */
  setState(state: string): void;
  close(): Promise<void>;
}

export interface HealthServerOptions {
  host?: string;
  /** The SDK's own Prometheus exporter (Runtime telemetry), appended to /metrics. */
  sdkMetricsUrl?: string;
}

/**
 * /healthz answers 200 `RUNNING` only while the worker runs, both pollers poll and the Temporal
 * server answers; otherwise 503 with the state and the reason (`DRAINING`, `FAILED`,
 * `RUNNING; Temporal unreachable: …`). /metrics is prom-client's process metrics followed by the
 * SDK's own (`temporal_…`: task slots, polls, latencies).
 */
export async function startHealthServer(port: number, opts: HealthServerOptions = {}): Promise<HealthServer> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'meshops_worker_' });
  let probe: WorkerProbe | undefined;
  let fixed = 'INITIALIZED';
  const running = new Gauge({
    name: 'meshops_worker_running',
    help: '1 while the Temporal worker polls its task queue and the server answers',
    registers: [registry],
  });

  async function health(): Promise<{ ok: boolean; text: string }> {
    if (!probe) return { ok: false, text: fixed };
    const state = probe.state();
    if (state !== 'RUNNING') return { ok: false, text: state };
    const problems = probe.pollerProblems();
    if (problems.length > 0) return { ok: false, text: `${state}; ${problems.join(', ')}` };
    try {
      await probe.checkServer();
    } catch (err) {
      return { ok: false, text: `${state}; Temporal unreachable: ${(err as Error).message.split('\n')[0]}` };
    }
    return { ok: true, text: state };
  }

  async function metrics(): Promise<string> {
    running.set((await health()).ok ? 1 : 0);
    const own = await registry.metrics();
    if (!opts.sdkMetricsUrl) return own;
    try {
      const res = await fetch(opts.sdkMetricsUrl, { signal: AbortSignal.timeout(2_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return `${own}\n${await res.text()}`;
    } catch (err) {
      return `${own}\n# Temporal SDK metrics unavailable from ${opts.sdkMetricsUrl}: ${(err as Error).message}\n`;
    }
  }

  const server: Server = createServer((req, res) => {
    if (req.url === '/healthz') {
      health().then(
        ({ ok, text }) => res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(text),
        (err: Error) => res.writeHead(503).end(err.message),
      );
    } else if (req.url === '/metrics') {
      metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (err: Error) => res.writeHead(500).end(err.message),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, opts.host ?? '0.0.0.0', resolve));
  return {
    registry,
    follow(next) {
      probe = next;
    },
    setState(next) {
      probe = undefined;
      fixed = next;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
