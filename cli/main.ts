#!/usr/bin/env node
import { userInfo } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../common/load-config';
import { Requester } from '../common/status';
import { MeshClient } from '../client';
import { parseCliArgs, UsageError } from './args';
import { cliHelp, runCommand } from './run-command';

async function run(): Promise<number> {
  const args = parseCliArgs(process.argv.slice(2));
  if (args.command.kind === 'mesh' && args.command.command.verb === 'help') {
    console.log(cliHelp());
    return 0;
  }
  const config = loadConfig();
  const address = config.temporal.address ?? `127.0.0.1:${config.temporal.devServerPort}`;
  const requester = Requester.parse({
    id: args.as ?? process.env.MESHOPS_USER ?? userInfo().username,
    groups: args.groups,
    via: 'cli',
  });
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: '5s' });
  } catch (err) {
    throw new Error(
      `Cannot reach Temporal at ${address}: ${(err as Error).message}. Start the worker (\`npm start\`, which runs an embedded server) or set TEMPORAL_ADDRESS.`,
      { cause: err },
    );
  }
  try {
    const mesh = new MeshClient({ client: new Client({ connection, namespace: config.temporal.namespace }), taskQueue: config.temporal.taskQueue });
    return await runCommand(mesh, args, requester, {
      print: (text) => console.log(text),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    });
  } finally {
    await connection.close();
  }
}

run().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err instanceof UsageError ? err.message : `meshops: ${err.message}`);
    process.exit(2);
  },
);
