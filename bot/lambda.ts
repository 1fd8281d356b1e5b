import { AwsLambdaReceiver } from '@slack/bolt';
import type { AwsEvent, AwsHandler, AwsResponse } from '@slack/bolt/dist/receivers/AwsLambdaReceiver';
import { loadConfig } from '../common/load-config';
import { createMeshApp } from './app';
import { connect } from './connect';
import { boltLogger, createBotLogger } from './logger';
import { botSettings } from './settings';

let ready: Promise<AwsHandler> | undefined;

/**
 * Built once per Lambda container (cold start) and reused by its later invocations. A Lambda is
 * frozen after it answers, so this receiver answers Slack only when the listener has finished:
 * starting the workflow then happens inside Slack's 3 s, which Temporal's start call fits easily.
 */
async function build(): Promise<AwsHandler> {
  const config = loadConfig();
  const logger = createBotLogger(config.logLevel);
  const settings = botSettings(config, 'lambda');
  const { deps, identity } = await connect(settings, logger);
  const receiver = new AwsLambdaReceiver({ signingSecret: settings.signingSecret!, logger: boltLogger(logger) });
  createMeshApp({ receiver, botToken: settings.botToken, slackApiUrl: settings.apiUrl, ...identity }, deps);
  return receiver.start();
}

/** The AWS Lambda entry point (API Gateway or function URL event → Slack response). */
export const handler = async (event: AwsEvent, context: unknown): Promise<AwsResponse> => {
  ready ??= build().catch((err: unknown) => {
    ready = undefined; // the next invocation tries again instead of failing forever
    throw err;
  });
  return (await ready)(event, context);
};
