import type { Server } from 'node:http';
import { loadConfig } from '../common/load-config';
import { createMeshApp } from './app';
import { connect } from './connect';
import { createBotLogger } from './logger';
import { createHttpReceiver, createSocketReceiver } from './receivers';
import { botSettings, receiverKind } from './settings';

/** The bot as a long-running process: HTTP (default) or Socket Mode when SLACK_APP_TOKEN is set. */
async function run(): Promise<void> {
  const config = loadConfig();
  const logger = createBotLogger(config.logLevel);
  const kind = receiverKind(config);
  const settings = botSettings(config, kind);
  const { deps, identity, close } = await connect(settings, logger);
  const receiver = kind === 'socket' ? createSocketReceiver(settings.appToken!, logger, settings.apiUrl) : createHttpReceiver({ signingSecret: settings.signingSecret!, logger });
  const app = createMeshApp({ receiver, botToken: settings.botToken, slackApiUrl: settings.apiUrl, ...identity }, deps);
  const server = (await app.start(settings.port)) as Server | undefined;
  logger.info(kind === 'socket' ? { receiver: 'socket-mode' } : { receiver: 'http', port: settings.port, endpoint: '/slack/events' }, 'meshops bot listening');

  const stop = async (signal: string) => {
    logger.info({ signal }, 'stopping');
    await app.stop();
    server?.closeAllConnections?.();
    await close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

run().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
