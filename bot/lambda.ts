import { AwsLambdaReceiver } from '@slack/bolt';
import type { AwsEvent, AwsHandler, AwsResponse } from '@slack/bolt/dist/receivers/AwsLambdaReceiver';
import type { Config } from '../common/config';
import { loadConfig } from '../common/load-config';
import { createMeshApp } from './app';
import { connect } from './connect';
import { boltLogger, createBotLogger } from './logger';
import { botSettings } from './settings';
import { LAMBDA_CLIENT_OPTIONS } from './slack-clients';

/**
 * Slack waits 3 s for the HTTP answer. AwsLambdaReceiver answers only once the listener has
 * finished (Bolt's processBeforeResponse path), and work left running after the answer would be
 * frozen with the function, so nothing is handed off: the whole request runs inside the budget.
 * Every Temporal call of a request ends by LAMBDA_TEMPORAL_BUDGET_MS from when its listener starts
 * (a gRPC deadline), every Slack call is one attempt of at most 800 ms (LAMBDA_CLIENT_OPTIONS), a
 * slash command's answer is the HTTP answer itself (no response_url call, no permalink wait), and
 * whatever is still running at LAMBDA_ANSWER_WITHIN_MS is left: the listener returns, a command
 * saying it cannot tell whether it went through (check `/mesh runs`).
 */
export const LAMBDA_TEMPORAL_BUDGET_MS = 1_500;
export const LAMBDA_ANSWER_WITHIN_MS = 2_500;

export interface LambdaHandlerOptions {
  /** Default: loadConfig() (environment and MESHOPS_CONFIG). */
  config?: Config;
  temporalBudgetMs?: number;
}

/**
 * A Lambda handler that builds the app once per container (cold start) and reuses it. Temporal is
 * connected lazily, on the first request and inside its deadline, so a slow Temporal cannot hold
 * up a cold start either.
 */
export function createLambdaHandler(opts: LambdaHandlerOptions = {}): (event: AwsEvent, context: unknown) => Promise<AwsResponse> {
  const budget = opts.temporalBudgetMs ?? LAMBDA_TEMPORAL_BUDGET_MS;
  let ready: Promise<AwsHandler> | undefined;
  const build = async (): Promise<AwsHandler> => {
    const config = opts.config ?? loadConfig();
    const logger = createBotLogger(config.logLevel);
    const settings = botSettings(config, 'lambda');
    const { deps, identity } = await connect(settings, logger, { temporal: 'lazy', temporalCallMs: budget, slackClient: LAMBDA_CLIENT_OPTIONS });
    const receiver = new AwsLambdaReceiver({ signingSecret: settings.signingSecret!, logger: boltLogger(logger) });
    createMeshApp(
      { receiver, botToken: settings.botToken, slackApiUrl: settings.apiUrl, ...identity, answerInAck: true, requestBudgetMs: budget, answerWithinMs: LAMBDA_ANSWER_WITHIN_MS, slackClient: LAMBDA_CLIENT_OPTIONS },
      deps,
    );
    return receiver.start();
  };
  return async (event, context) => {
    ready ??= build().catch((err: unknown) => {
      ready = undefined; // the next invocation tries again instead of failing forever
      throw err;
    });
    return (await ready)(event, context);
  };
}

/** The AWS Lambda entry point (API Gateway or function URL event → Slack response). */
export const handler = createLambdaHandler();
