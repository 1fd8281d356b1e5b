import { existsSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerSearchAttributeArgs } from '../common/search-attributes';
import { INSTALL_TEMPORAL_HINT, findTemporalCli } from './temporal-cli';
import { GuardedProcess, allPids, guardOwner, listenerOf, processRecord, type ProcessRecord } from './guarded-process';

export interface DevServerOptions {
  cacheDir: string;
  /** SQLite file so workflows survive a restart; omit for an in-memory server (tests). */
  dbFilename?: string;
  /** Omit for a free port. */
  port?: number;
  uiPort?: number;
  /** Namespaces to create besides `default`. */
  extraNamespaces?: string[];
  /** Where a stale server being reclaimed is reported (default: stderr). */
  warn?: (fields: object, message: string) => void;
}

export interface DevServer {
  address: string;
  /** The server's output (the CLI's own log), when meshops started the CLI itself. */
  logFile?: string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * Starts the real Temporal dev server (the `temporal` CLI) as a child that dies with this process:
 * it runs under a watchdog (worker/guarded-process.ts) that stops it when this process goes away,
 * even by SIGKILL. Before starting, the ports must be free: a stale dev server left on them by a
 * meshops worker that died is stopped (and said so); anything else there is an error naming the
 * port and the process. The SDK's own spawn (TestWorkflowEnvironment.createLocal) kills the server
 * only on teardown, so it is used only when no CLI is found and the SDK must download one.
 */
export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const cli = findTemporalCli(opts.cacheDir);
  if (opts.dbFilename) mkdirSync(dirname(opts.dbFilename), { recursive: true });
  if (!cli) return startSdkDownloadedServer(opts);

  const port = opts.port ?? (await freeLoopbackPort());
  const warn = opts.warn ?? ((fields, message) => console.warn(message, fields));
  if (opts.dbFilename) await claimDbFile(opts.dbFilename, warn);
  await claimPort(port, 'MESHOPS_DEV_SERVER_PORT', opts.dbFilename, warn);
  if (opts.uiPort !== undefined) await claimPort(opts.uiPort, 'MESHOPS_DEV_SERVER_UI_PORT', opts.dbFilename, warn);

  const logFile = opts.dbFilename ? `${opts.dbFilename}.log` : join(opts.cacheDir, 'logs', `temporal-dev-server-${port}.log`);
  mkdirSync(dirname(logFile), { recursive: true });
  const args = [
    'server', 'start-dev',
    '--ip', HOST,
    '--port', String(port),
    ...(opts.uiPort !== undefined ? ['--ui-port', String(opts.uiPort)] : ['--headless']),
    ...(opts.dbFilename ? ['--db-filename', opts.dbFilename] : []),
    '--log-format', 'pretty',
    '--log-level', 'warn',
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    ...(opts.extraNamespaces ?? []).flatMap((ns) => ['--namespace', ns]),
    // The typed search attributes mesh runs set (common/search-attributes.ts), on every namespace.
    ...devServerSearchAttributeArgs(),
  ];
  const server = new GuardedProcess('Temporal dev server', cli.path, args, logFile);
  const address = `${HOST}:${port}`;
  try {
    await waitUntilServing(server, address, port);
  } catch (err) {
    await server.stop();
    throw new Error(
      `Temporal dev server: the Temporal CLI at ${cli.path} (from ${cli.source}) did not start: ${(err as Error).message}\n` +
        `Its log: ${logFile}\n${tail(logFile)}\n${INSTALL_TEMPORAL_HINT}`,
      { cause: err },
    );
  }
  return { address, logFile, stop: () => server.stop() };
}

async function startSdkDownloadedServer(opts: DevServerOptions): Promise<DevServer> {
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download', downloadDir: join(opts.cacheDir, 'sdk-download') },
        ip: HOST,
        port: opts.port,
        dbFilename: opts.dbFilename,
        ui: opts.uiPort !== undefined,
        uiPort: opts.uiPort,
        extraArgs: [...(opts.extraNamespaces ?? []).flatMap((ns) => ['--namespace', ns]), ...devServerSearchAttributeArgs()],
      },
    });
  } catch (err) {
    throw new Error(`Temporal dev server: no Temporal CLI was found and the SDK download failed: ${(err as Error).message}\n${INSTALL_TEMPORAL_HINT}`, { cause: err });
  }
  return { address: env.address, stop: () => env.teardown() };
}

/** Ready once a gRPC connection succeeds *and* the listener on the port is our own child. */
async function waitUntilServing(server: GuardedProcess, address: string, port: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!server.running) throw new Error(`it exited with code ${await server.exited}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: '1s' });
      await connection.close();
      const holder = listenerOf(port).pid;
      const record = holder === undefined ? undefined : processRecord(holder);
      if (!server.running || (record && record.pgrp !== server.pid)) {
        throw new Error(`port ${port} answers, but not from the server just started (${describe(record)})`);
      }
      return;
    } catch (err) {
      if ((err as Error).message.startsWith(`port ${port} answers`)) throw err;
      if (Date.now() > deadline) throw new Error(`it did not answer on ${address} within 60 s: ${(err as Error).message}`, { cause: err });
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Makes sure `port` is free before the server starts there. A dev server left by a meshops worker
 * that has died (its watchdog's owner is gone, or, unguarded, it serves this very SQLite file) is
 * stopped, with a warning; anything else is an error with the fix.
 */
async function claimPort(port: number, variable: string, dbFilename: string | undefined, warn: NonNullable<DevServerOptions['warn']>): Promise<void> {
  if (await canListen(port)) return;
  const holder = listenerOf(port).pid;
  const record = holder === undefined ? undefined : processRecord(holder);
  const stale = record && staleDevServer(record, dbFilename);
  if (!record || !stale) {
    throw new Error(
      `Port ${port} (${variable}) is in use by ${describe(record)}, so the embedded Temporal dev server cannot start there; ` +
        `meshops does not attach to a server it did not start. Set ${variable} to a free port, ` +
        `or set TEMPORAL_ADDRESS=${HOST}:${port} to use the server on that port as an external one.`,
    );
  }
  warn(
    { pid: record.pid, port, command: record.argv.join(' '), why: stale },
    `reclaiming port ${port}: stopping a stale embedded Temporal dev server (pid ${record.pid}) left by a meshops worker that is gone`,
  );
  await terminate(record.pid);
  const deadline = Date.now() + 15_000;
  while (!(await canListen(port))) {
    if (Date.now() > deadline) throw new Error(`Port ${port} (${variable}) is still in use after stopping the stale dev server pid ${record.pid}.`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A dev server still on this SQLite file (even on another port, or with the port already closed
 * while it shuts down) holds its lock: a stale one is stopped and awaited, a live worker's is an error.
 */
async function claimDbFile(dbFilename: string, warn: NonNullable<DevServerOptions['warn']>): Promise<void> {
  for (const pid of allPids()) {
    const record = processRecord(pid);
    if (!record || record.argv[0]?.endsWith('bash') || !record.argv.includes('start-dev')) continue;
    const db = argValue(record.argv, '--db-filename') ?? argValue(record.argv, '-f');
    if (!db || !samePath(db, dbFilename)) continue;
    const stale = staleDevServer(record, dbFilename);
    if (!stale) {
      throw new Error(
        `The dev server's SQLite file ${dbFilename} is in use by ${describe(record)}; meshops does not attach to a server it did not start. ` +
          `Stop that process, set MESHOPS_CACHE_DIR to another directory, or set TEMPORAL_ADDRESS to use that server as an external one.`,
      );
    }
    warn(
      { pid, db: dbFilename, command: record.argv.join(' '), why: stale },
      `stopping a stale embedded Temporal dev server (pid ${pid}) left on ${dbFilename} by a meshops worker that is gone`,
    );
    await terminate(pid);
  }
}

/** Why `record` is a dev server this worker may stop, or undefined when it is not. */
function staleDevServer(record: ProcessRecord, dbFilename: string | undefined): string | undefined {
  const at = record.argv.indexOf('start-dev');
  if (at < 1 || record.argv[at - 1] !== 'server') return undefined;
  const owner = guardOwner(record.ppid);
  if (owner !== undefined) {
    return processRecord(owner) ? undefined : `its meshops worker (pid ${owner}) has exited; its watchdog is stopping it`;
  }
  // Unguarded (started before the watchdog existed): ours only on this very SQLite file, and stale
  // only when no Node process is its parent any more.
  const parent = processRecord(record.ppid);
  const parentIsNode = parent !== undefined && record.ppid !== 1 && /(^|\/)node$/.test(parent.argv[0] ?? '');
  const db = argValue(record.argv, '--db-filename') ?? argValue(record.argv, '-f');
  if (dbFilename && db && samePath(db, dbFilename) && !parentIsNode) return `its worker died (parent now pid ${record.ppid}); it serves this worker's SQLite file ${dbFilename}`;
  return undefined;
}

function describe(record: ProcessRecord | undefined): string {
  if (!record) return 'a process this user cannot see (check with `ss -ltnp`)';
  const owner = guardOwner(record.ppid);
  const whose = owner !== undefined && processRecord(owner) ? `, the embedded dev server of the running meshops process pid ${owner}` : '';
  return `pid ${record.pid} (${record.argv.join(' ').slice(0, 200)}${whose})`;
}

function argValue(argv: string[], flag: string): string | undefined {
  const at = argv.indexOf(flag);
  if (at >= 0) return argv[at + 1];
  const inline = argv.find((a) => a.startsWith(`${flag}=`));
  return inline?.slice(flag.length + 1);
}

function samePath(a: string, b: string): boolean {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
  return real(a) === real(b);
}

/** SIGTERM, SIGKILL after 10 s; resolves when the process is gone. */
async function terminate(pid: number): Promise<void> {
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  };
  kill('SIGTERM');
  const killAt = Date.now() + 10_000;
  while (processRecord(pid)) {
    if (Date.now() > killAt) kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen({ port, host: HOST, exclusive: true }, () => probe.close(() => done(true)));
  });
}

/** A TCP port free on 127.0.0.1 just now. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, HOST, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
