import type { Client } from '@temporalio/client';
import { APPROVAL_ACTION, ApprovalButtonValue } from '../common/approval-buttons';
import type { MeshStatus } from '../common/status';
import type { SlackApiStandin, StoredMessage } from '../test/harness/slack-api-standin';
import { buttonClickBody, postToSlackEndpoint, slashCommandBody } from '../test/harness/slack-requests';
import { viewSubmissionBody } from '../test/harness/slack/view-submission';
import { REJECT_VIEW } from '../bot/reject-modal';

export interface SlackPerson {
  id: string;
  name: string;
}

export interface ApprovalAsk {
  step: string;
  /** The thread message with the Approve / Reject buttons. */
  message: StoredMessage;
}

export type Decision = 'approve' | 'reject';

export interface ConversationOptions {
  eventsUrl: string;
  signingSecret: string;
  standin: SlackApiStandin;
  temporal: Client;
  channel: string;
  requester: SlackPerson;
  approver: SlackPerson;
  /** What the requester types after `/mesh`. */
  text: string;
  /** Asked once per approval request; the approver's click follows the answer. */
  decide(ask: ApprovalAsk): Promise<Decision>;
  /** Called before each request the demo sends as a person, for the view: a command typed or a button clicked. */
  onTyped?(user: SlackPerson, text: string, kind: 'typed' | 'clicked'): void;
}

interface ButtonElement {
  type: string;
  action_id?: string;
  value?: string;
}

/** The Approve button of a message, while it still has one (a decided request loses its buttons). */
function approveButton(message: StoredMessage): ButtonElement | undefined {
  for (const block of (message.blocks ?? []) as { type: string; elements?: ButtonElement[] }[]) {
    if (block.type !== 'actions') continue;
    const button = block.elements?.find((e) => e.action_id === APPROVAL_ACTION.approve);
    if (button) return button;
  }
  return undefined;
}

function nextChange(standin: SlackApiStandin, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      standin.changes.off('change', done);
      resolve();
    }
    standin.changes.on('change', done);
  });
}

async function post(opts: ConversationOptions, body: string, what: string): Promise<void> {
  const answer = await postToSlackEndpoint(opts.eventsUrl, body, { secret: opts.signingSecret });
  if (answer.status !== 200) throw new Error(`the bot answered ${what} with HTTP ${answer.status}: ${answer.body}`);
}

/**
 * The Slack side of one run, played as Slack would send it: the requester's signed slash command,
 * then, for every approval request the worker posts in the run's thread, the approver's signed
 * button click. Resolves with the run's final status, read from Temporal.
 */
export async function playRun(opts: ConversationOptions): Promise<MeshStatus> {
  const { standin, channel, requester, approver } = opts;
  const earlier = new Set(standin.parents(channel).map((m) => m.ts));
  const commandId = `cmd-${requester.id}`;
  const commandAnswers = standin.ephemerals.filter((e) => e.responseUrlId === commandId).length;
  opts.onTyped?.(requester, `/mesh ${opts.text}`, 'typed');
  await post(opts, slashCommandBody({ text: opts.text, userId: requester.id, userName: requester.name, channelId: channel, responseUrl: standin.responseUrl(commandId, { channel, user: requester.id }) }), `/mesh ${opts.text}`);
  // The bot answers the command privately: "Started …", or why not (then no run message will come).
  const started = await waitFor(standin, 30_000, `the bot's answer to /mesh ${opts.text}`, () => standin.ephemerals.filter((e) => e.responseUrlId === commandId)[commandAnswers]);
  if (!/Started mesh/.test(started.text ?? '')) throw new Error(`the bot refused /mesh ${opts.text}: ${started.text}`);

  const parent = await waitFor(standin, 60_000, 'the run\'s message in the channel', () => standin.parents(channel).find((m) => !earlier.has(m.ts) && m.metadata?.event_payload?.workflow_id));
  const workflowId = String(parent.metadata!.event_payload.workflow_id);
  const result = opts.temporal.workflow.getHandle(workflowId).result() as Promise<MeshStatus>;
  let finished = false;
  const ended = () => {
    finished = true;
    standin.changes.emit('change', 'run ended');
  };
  result.then(ended, ended);

  const decided = new Set<string>();
  while (!finished) {
    const ask = standin.thread(channel, parent.ts).find((m) => approveButton(m) && !decided.has(m.ts));
    if (!ask) {
      await nextChange(standin, 1000);
      continue;
    }
    decided.add(ask.ts);
    const value = ApprovalButtonValue.parse(JSON.parse(approveButton(ask)!.value ?? '{}'));
    const decision = await opts.decide({ step: value.step, message: ask });
    const actionId = decision === 'approve' ? APPROVAL_ACTION.approve : APPROVAL_ACTION.reject;
    opts.onTyped?.(approver, `clicked ${decision === 'approve' ? 'Approve' : 'Reject'} on ${value.step}`, 'clicked');
    const answerId = `click-${approver.id}`;
    // The bot answers a click privately in the run's thread (chat.postEphemeral), or through the click's response_url if it cannot.
    const answersTo = () => standin.ephemerals.filter((e) => e.user === approver.id && (e.via === 'chat.postEphemeral' || e.responseUrlId === answerId));
    const answered = answersTo().length;
    const views = standin.views.length;
    await post(
      opts,
      buttonClickBody({
        userId: approver.id,
        channelId: channel,
        actionId,
        value: approveButton(ask)!.value!,
        messageTs: ask.ts,
        threadTs: ask.thread_ts,
        responseUrl: standin.responseUrl(answerId, { channel, user: approver.id, messageTs: ask.ts }),
      }),
      `${approver.name}'s ${decision} click`,
    );
    if (decision === 'reject') {
      // Reject opens a modal asking for the reason; the decision is made when it is submitted.
      const view = await waitFor(standin, 30_000, `the reason modal for ${approver.name}'s reject`, () => standin.views[views]);
      await post(opts, viewSubmissionBody({ view, userId: approver.id, values: { [REJECT_VIEW.block]: { [REJECT_VIEW.action]: 'rejected in the demo' } } }), `${approver.name}'s reject reason`);
    }
    // The bot answers every click privately; anything but "You approved/rejected" is a refusal that would leave the gate waiting.
    const reply = await waitFor(standin, 30_000, `the bot's answer to ${approver.name}'s click`, () => answersTo()[answered]);
    if (!/You (approved|rejected)/.test(reply.text ?? '')) throw new Error(`the bot refused ${approver.name}'s ${decision} of ${value.step}: ${reply.text}`);
  }
  return result;
}

async function waitFor<T>(standin: SlackApiStandin, ms: number, what: string, find: () => T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = find();
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms / 1000}s: see the worker's log`);
    await nextChange(standin, 500);
  }
}
