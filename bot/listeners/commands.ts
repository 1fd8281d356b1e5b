import type { AllMiddlewareArgs, App, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { handleMeshCommand } from '../handle-command';
import type { BotDeps } from '../deps';
import { withRequestDeadline } from '../temporal-deadline';
import { answerBy } from '../time-limit';
import type { ListenerOptions } from './options';
import { ephemeral } from '../render/replies';
import { answerOf } from './reply';

const TOO_SLOW = ":warning: Slack or Temporal did not answer in time, so I cannot tell whether your command went through. Check `/mesh runs` in a minute before trying again.";

/**
 * `/mesh`: ack first (Slack's 3 s), then the work, then the answer through response_url; or, on
 * Lambda (answerInAck), the work under the request's deadline and the answer as the ack itself.
 */
export function meshCommand(deps: BotDeps, opts: ListenerOptions = {}) {
  return async ({ ack, command, respond }: AllMiddlewareArgs & SlackCommandMiddlewareArgs): Promise<void> => {
    if (!opts.answerInAck) await ack();
    const log = deps.logger.child({ user: command.user_id, channel: command.channel_id });
    const work = answerOf(
      () => withRequestDeadline(opts.requestBudgetMs, () => handleMeshCommand(deps, { text: command.text, userId: command.user_id, userName: command.user_name, channelId: command.channel_id })),
      'run your /mesh command',
      log,
    );
    const reply = await answerBy(opts.answerWithinMs, work, () => {
      log.warn({ text: command.text }, 'no answer within the request budget; answering that it is unknown whether the command went through');
      return ephemeral(TOO_SLOW);
    });
    if (opts.answerInAck) await ack(reply);
    else await respond(reply);
  };
}

export function registerCommands(app: App, deps: BotDeps, opts: ListenerOptions = {}): void {
  app.command('/mesh', meshCommand(deps, opts));
}
