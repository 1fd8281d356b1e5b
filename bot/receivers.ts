import { HTTPReceiver, SocketModeReceiver, type Receiver } from '@slack/bolt';
import type { Logger } from './logger';
import { boltLogger } from './logger';

export interface HttpReceiverOptions {
  signingSecret: string;
  logger: Logger;
}

/**
 * Slack's HTTP endpoint (/slack/events) with signature and timestamp checks, plus /healthz.
 * processBeforeResponse is off: ack() answers Slack at once and the listener goes on after it.
 */
export function createHttpReceiver(opts: HttpReceiverOptions): HTTPReceiver {
  return new HTTPReceiver({
    signingSecret: opts.signingSecret,
    endpoints: '/slack/events',
    processBeforeResponse: false,
    logger: boltLogger(opts.logger),
    customRoutes: [
      {
        path: '/healthz',
        method: ['GET'],
        handler: (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        },
      },
    ],
  });
}

/** Socket Mode: no public URL; Slack's events arrive over a WebSocket the app opens. */
export function createSocketReceiver(appToken: string, logger: Logger, slackApiUrl?: string): Receiver {
  return new SocketModeReceiver({ appToken, logger: boltLogger(logger), installerOptions: { clientOptions: { slackApiUrl } } });
}
