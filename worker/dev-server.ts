import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { INSTALL_TEMPORAL_HINT, findTemporalCli } from './temporal-cli';

export interface DevServerOptions {
  cacheDir: string;
  /** SQLite file so workflows survive a restart; omit for an in-memory server (tests). */
  dbFilename?: string;
  /** Omit for a free port. */
  port?: number;
  uiPort?: number;
  /** Namespaces to create besides `default`. */
  extraNamespaces?: string[];
}

export interface DevServer {
  address: string;
  env: TestWorkflowEnvironment;
  stop(): Promise<void>;
}

/**
 * Starts the real Temporal dev server (the `temporal` CLI). The binary is looked up by
 * findTemporalCli; only when none is found does the SDK try its own download, which needs the
 * internet, and a failure then says what to install.
 */
export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const cli = findTemporalCli(opts.cacheDir);
  if (opts.dbFilename) mkdirSync(join(opts.dbFilename, '..'), { recursive: true });
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: cli
          ? { type: 'existing-path', path: cli.path }
          : { type: 'cached-download', downloadDir: join(opts.cacheDir, 'sdk-download') },
        ip: '127.0.0.1',
        port: opts.port,
        dbFilename: opts.dbFilename,
        ui: opts.uiPort !== undefined,
        uiPort: opts.uiPort,
        extraArgs: (opts.extraNamespaces ?? []).flatMap((ns) => ['--namespace', ns]),
      },
    });
  } catch (err) {
    const found = cli ? `the Temporal CLI at ${cli.path} (from ${cli.source}) did not start` : 'no Temporal CLI was found and the SDK download failed';
    throw new Error(`Temporal dev server: ${found}: ${(err as Error).message}\n${INSTALL_TEMPORAL_HINT}`, { cause: err });
  }
  return {
    address: env.address,
    env,
    stop: () => env.teardown(),
  };
}
