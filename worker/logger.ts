import pino, { type Logger } from 'pino';
import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker';

export type { Logger };

/** Keys whose values never reach a log line, wherever they sit in the object. */
const REDACT = ['*.token', '*.botToken', '*.appToken', '*.signingSecret', '*.kubeconfig', '*.password', 'token', 'kubeconfig'];

export function createLogger(level: string, name: string): Logger {
  return pino({ name, level, redact: { paths: REDACT, censor: '[redacted]' } });
}

const toPino: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Routes the Temporal SDK's logs (worker, workflow and activity loggers) into pino. The SDK adds
 * workflowId, runId, activityId and attempt to the metadata of workflow and activity lines.
 */
export function installTemporalLogging(logger: Logger): void {
  const level = (logger.level.toUpperCase() as LogLevel) in toPino ? (logger.level.toUpperCase() as LogLevel) : 'INFO';
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      logger[toPino[entry.level]]({ ...entry.meta, sdk: true }, entry.message);
    }),
  });
}
