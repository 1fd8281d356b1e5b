import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker';

export type { Logger };

/** Keys whose values never reach a log line, wherever they sit in the object. */
const REDACT = ['*.token', '*.botToken', '*.appToken', '*.signingSecret', '*.kubeconfig', '*.password', 'token', 'kubeconfig'];

export interface LoggerOutput {
  /** Human-readable lines (pino-pretty) instead of JSON; default: when stdout is a terminal. */
  pretty?: boolean;
  /** Where lines go; default stdout. */
  destination?: NodeJS.WritableStream;
}

/** JSON lines for collectors, readable lines for a person at a terminal; the same redaction either way. */
export function createLogger(level: string, name: string, output: LoggerOutput = {}): Logger {
  const options = { name, level, redact: { paths: REDACT, censor: '[redacted]' } };
  const readable = output.pretty ?? process.stdout.isTTY === true;
  if (readable) {
    const colorize = output.destination ? false : process.stdout.isTTY === true;
    return pino(options, pretty({ colorize, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,name', sync: true, ...(output.destination ? { destination: output.destination } : {}) }));
  }
  return output.destination ? pino(options, output.destination as DestinationStream) : pino(options);
}

const toPino: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

let sdkLogger: Logger | undefined;

/**
 * Routes the Temporal SDK's logs (worker, workflow and activity loggers) into pino. The SDK adds
 * workflowId, runId, activityId and attempt to the metadata of workflow and activity lines.
 * The SDK's Runtime is installed once, by installTemporalRuntime (runWorker calls it first thing),
 * so that its telemetry (the Prometheus exporter) is configured in the same call.
 */
export function installTemporalLogging(logger: Logger): void {
  sdkLogger = logger;
}

export interface TemporalTelemetry {
  /** `host:port` where the SDK serves its own Prometheus metrics (worker slots, polls, latencies). */
  prometheusBindAddress?: string;
}

/**
 * Installs the SDK's Runtime with the logger of installTemporalLogging and the telemetry given.
 * Returns false when a Runtime already exists (it can be installed once per process), in which case
 * the telemetry asked for is not available.
 */
export function installTemporalRuntime(telemetry: TemporalTelemetry = {}): boolean {
  if (Runtime._instance) return false;
  const logger = sdkLogger;
  const level = logger && (logger.level.toUpperCase() as LogLevel) in toPino ? (logger.level.toUpperCase() as LogLevel) : 'INFO';
  Runtime.install({
    ...(logger
      ? {
          logger: new DefaultLogger(level, (entry) => {
            logger[toPino[entry.level]]({ ...entry.meta, sdk: true }, entry.message);
          }),
        }
      : {}),
    ...(telemetry.prometheusBindAddress
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: telemetry.prometheusBindAddress, countersTotalSuffix: true } } } }
      : {}),
  });
  return true;
}
