import pino, { type Logger } from 'pino';
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';

export type { Logger };

/** Values under these keys never reach a log line. */
const REDACT = ['*.token', '*.botToken', '*.appToken', '*.signingSecret', 'token', 'signingSecret', 'headers["x-slack-signature"]'];

/** One pino logger for the bot process; tests pass a destination to read what was logged. */
export function createBotLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { name: 'meshops-bot', level, redact: { paths: REDACT, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

/** Bolt's own logging, routed into the same pino logger. */
export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  const line = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');
  return {
    debug: (...msg: unknown[]) => child.debug(line(msg)),
    info: (...msg: unknown[]) => child.info(line(msg)),
    warn: (...msg: unknown[]) => child.warn(line(msg)),
    error: (...msg: unknown[]) => child.error(line(msg)),
    setLevel: (level: LogLevel) => {
      child.level = level;
    },
    getLevel: () => (child.level as LogLevel) ?? LogLevel.INFO,
    setName: () => undefined,
  };
}
