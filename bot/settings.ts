import type { Config } from '../common/config';

/** What the bot needs from the configuration, checked up front so a missing piece stops it at start. */
export interface BotSettings {
  botToken: string;
  /** Unset only in Socket Mode, which does not sign requests. */
  signingSecret?: string;
  appToken?: string;
  apiUrl?: string;
  port: number;
  policyFile: string;
  temporal: { address: string; namespace: string; taskQueue: string; uiUrl?: string };
}

export class MissingSettingError extends Error {
  constructor(variable: string, why: string) {
    super(`${variable} is not set: ${why}`);
    this.name = 'MissingSettingError';
  }
}

export function botSettings(config: Config, receiver: 'http' | 'socket' | 'lambda'): BotSettings {
  const { slack, temporal } = config;
  if (!slack.botToken) throw new MissingSettingError('SLACK_BOT_TOKEN', 'set it to the Bot User OAuth Token (xoxb-…) from the app\'s OAuth & Permissions page.');
  if (receiver === 'socket' && !slack.appToken) throw new MissingSettingError('SLACK_APP_TOKEN', 'Socket Mode needs an app-level token (xapp-…) with connections:write.');
  if (receiver !== 'socket' && !slack.signingSecret) throw new MissingSettingError('SLACK_SIGNING_SECRET', 'set it to the Signing Secret from the app\'s Basic Information page, or set SLACK_APP_TOKEN to use Socket Mode.');
  if (!slack.policyFile) throw new MissingSettingError('MESHOPS_POLICY_FILE', 'name the authorization policy (YAML), e.g. bot/policy.example.yml; without it nobody could be authorized.');
  return {
    botToken: slack.botToken,
    signingSecret: slack.signingSecret,
    appToken: slack.appToken,
    apiUrl: slack.apiUrl,
    port: slack.port,
    policyFile: slack.policyFile,
    temporal: {
      // The worker's embedded dev server listens on devServerPort when TEMPORAL_ADDRESS is unset.
      address: temporal.address ?? `127.0.0.1:${temporal.devServerPort}`,
      namespace: temporal.namespace,
      taskQueue: temporal.taskQueue,
      uiUrl: temporal.uiUrl,
    },
  };
}

/** Socket Mode when an app-level token is configured, HTTP otherwise. */
export function receiverKind(config: Config): 'http' | 'socket' {
  return config.slack.appToken ? 'socket' : 'http';
}
