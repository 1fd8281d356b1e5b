import { Context } from '@temporalio/activity';
import type { WebClient } from '@slack/web-api';
import { RUN_MESSAGE_EVENT, type RunMessagePayload, runMessagePayload } from '../../common/run-message-metadata';
import { temporalUiLink } from '../../common/slack-text';
import type { NotifierActivities, NotifierRef, ProgressEvent } from '../../common/step-contract';
import type { MeshStatus } from '../../common/status';
import type { StepId } from '../../common/steps';
import {
  type GroupIds,
  type SlackMessage,
  groupHandles,
  approvalClosedMessage,
  approvalDecidedMessage,
  approvalRequestMessage,
  parentMessage,
  stepFailedMessage,
  summaryMessage,
} from './run-messages';
import { runDetailsMessage } from './run-details';
import { classifySlackError } from './slack-failure';

export interface SlackNotifierDeps {
  /** A WebClient with the bot token; tests point its slackApiUrl at the stand-in. */
  client: WebClient;
  /** Where runs not started from Slack (CLI, schedules) report; unset: they are not posted. */
  defaultChannel?: string;
  /** Temporal UI base URL, for the link in the parent message. */
  temporalUiUrl?: string;
  namespace: string;
  /** The activity attempt; above 1, an earlier attempt may already have posted. Default: Temporal's. */
  attempt?: () => number;
  /** How long the user groups (handle → id, for mentions) from usergroups.list are reused. Default 5 min. */
  groupsTtlMs?: number;
}

type Key = 'parent' | 'details' | 'summary' | `approval:${StepId}` | `failed:${StepId}`;

/** Logs through the activity's logger; outside an activity (a script, a unit test), to the console. */
function warn(message: string, attrs: Record<string, unknown>): void {
  try {
    Context.current().log.warn(message, attrs);
  } catch {
    console.warn(message, attrs);
  }
}

function currentAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1; // called outside an activity (e.g. a script): there is no earlier attempt
  }
}

/**
 * The Slack notifier activity: one parent message per run holding the checklist, updated in place;
 * details, failures, approval requests and the summary in its thread. Idempotent under retries:
 * every message carries metadata naming its run and purpose, and a retry looks for it first.
 */
export function createSlackNotifier(deps: SlackNotifierDeps): NotifierActivities {
  const { client } = deps;
  const attempt = deps.attempt ?? currentAttempt;

  async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw classifySlackError(err, what);
    }
  }

  const groupsTtlMs = deps.groupsTtlMs ?? 5 * 60_000;
  let groups: { at: number; ids: Promise<Map<string, string>> } | undefined;

  /**
   * Slack notifies a user group only when mentioned by id (<!subteam^S…>); the policy may name it
   * by handle. Handles are resolved with usergroups.list (cached); one that cannot be resolved is
   * shown as text and logged, and the request is still posted.
   */
  async function groupIdsFor(status: MeshStatus): Promise<GroupIds> {
    const handles = groupHandles(status);
    if (!handles.length) return new Map();
    if (!groups || Date.now() - groups.at > groupsTtlMs) {
      const ids = client.usergroups.list({}).then((res) => new Map((res.usergroups ?? []).flatMap((g) => (g.id && g.handle ? [[g.handle.toLowerCase(), g.id] as const] : []))));
      groups = { at: Date.now(), ids };
    }
    let ids: Map<string, string>;
    try {
      ids = await groups.ids;
    } catch (err) {
      groups = undefined; // asked again next time
      warn('could not list Slack user groups; approver groups named by handle are shown as text and not notified', { workflowId: status.workflowId, handles, err: (err as Error).message });
      return new Map();
    }
    const unknown = handles.filter((h) => !ids.has(h.toLowerCase()));
    if (unknown.length) warn('approver groups not found in usergroups.list; shown as text and not notified', { workflowId: status.workflowId, handles: unknown });
    return ids;
  }

  async function findPosted(channel: string, status: MeshStatus, key: Key, parentTs?: string): Promise<string | undefined> {
    const matches = (m: { metadata?: { event_type?: string; event_payload?: unknown } }) => {
      const payload = runMessagePayload(m.metadata);
      // An earlier run of the same workflow id (setup and teardown of a pair share it) posted its own messages.
      return payload?.workflow_id === status.workflowId && payload.key === key && (!status.runId || payload.run_id === status.runId);
    };
    const page = parentTs
      ? await call('reading the run thread', () => client.conversations.replies({ channel, ts: parentTs, include_all_metadata: true, limit: 200 }))
      : await call('reading the channel history', () => client.conversations.history({ channel, include_all_metadata: true, limit: 100 }));
    return page.messages?.find(matches)?.ts;
  }

  async function post(channel: string, status: MeshStatus, key: Key, message: SlackMessage, threadTs?: string): Promise<string> {
    if (attempt() > 1) {
      const earlier = await findPosted(channel, status, key, threadTs);
      if (earlier) return earlier;
    }
    const res = await call(`posting the ${key} message of ${status.workflowId} to ${channel}`, () =>
      client.chat.postMessage({
        channel,
        thread_ts: threadTs,
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
        metadata: { event_type: RUN_MESSAGE_EVENT, event_payload: { workflow_id: status.workflowId, ...(status.runId ? { run_id: status.runId } : {}), key } satisfies RunMessagePayload },
      }),
    );
    if (!res.ts) throw classifySlackError(new Error('chat.postMessage returned no ts'), `posting to ${channel}`);
    return res.ts;
  }

  async function update(channel: string, ts: string, message: SlackMessage, what: string): Promise<'updated' | 'gone'> {
    try {
      await client.chat.update({ channel, ts, text: message.text, blocks: message.blocks });
      return 'updated';
    } catch (err) {
      // Someone deleted the message: the caller posts a new one rather than failing the run.
      if ((err as { data?: { error?: string } }).data?.error === 'message_not_found') return 'gone';
      throw classifySlackError(err, what);
    }
  }

  /** A gate still showing buttons when the run ended (timed out, cancelled) says it is closed. */
  async function closeUndecidedGates(channel: string, status: MeshStatus, ref: NotifierRef): Promise<void> {
    for (const { id } of status.steps) {
      const asked = ref[`approval:${id}`];
      if (!asked || status.approvals.some((a) => a.step === id)) continue;
      await update(channel, asked, approvalClosedMessage(status, id), `closing the approval of ${status.workflowId}`);
    }
  }

  return {
    async notify(event: ProgressEvent): Promise<{ ref?: NotifierRef }> {
      const { status } = event;
      const channel = event.ref?.channel ?? status.requester.channel ?? deps.defaultChannel;
      if (!channel) return { ref: event.ref };
      const ref: NotifierRef = { ...event.ref, channel };
      const parent = parentMessage(status, temporalUiLink(deps.temporalUiUrl, deps.namespace, status.workflowId));

      if (!ref.ts || (await update(channel, ref.ts, parent, `updating the checklist of ${status.workflowId}`)) === 'gone') {
        ref.ts = await post(channel, status, 'parent', parent);
      }
      const thread = ref.ts;

      // Any event may be the first to carry a failure (the workflow coalesces step-changed events
      // and reports the last failure with 'finished'), so each failed step is posted once, tracked in the ref.
      for (const { id, state } of status.steps) {
        if (state.state !== 'failed' || ref[`failed:${id}`]) continue;
        ref[`failed:${id}`] = await post(channel, status, `failed:${id}`, stepFailedMessage(status, id, state), thread);
      }

      switch (event.type) {
        case 'started':
          await post(channel, status, 'details', runDetailsMessage(status), thread);
          break;
        case 'step-changed':
          break;
        case 'approval-requested':
          if (event.step) ref[`approval:${event.step}`] = await post(channel, status, `approval:${event.step}`, approvalRequestMessage(status, event.step, await groupIdsFor(status)), thread);
          break;
        case 'approval-decided': {
          const record = status.approvals.filter((a) => a.step === event.step).at(-1);
          if (!record) break;
          const decided = approvalDecidedMessage(record);
          const asked = ref[`approval:${record.step}`];
          if (!asked || (await update(channel, asked, decided, `replacing the approval buttons of ${status.workflowId}`)) === 'gone') {
            await post(channel, status, `approval:${record.step}`, decided, thread);
          }
          break;
        }
        case 'finished':
          await closeUndecidedGates(channel, status, ref);
          await post(channel, status, 'summary', summaryMessage(status), thread);
          break;
      }
      return { ref };
    },
  };
}
