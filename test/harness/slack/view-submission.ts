import type { OpenedView } from '../slack-api-standin';
import { interactionFrom, newTriggerId } from '../slack-requests';

/**
 * The view_submission payload Slack sends when someone submits a modal the app opened: the view as
 * opened (its callback_id and private_metadata come back unchanged) with the inputs' values under
 * view.state.values[block_id][action_id]. An empty input is sent as value null.
 */
export function viewSubmissionBody(fields: { view: OpenedView; userId: string; values: Record<string, Record<string, string | null>> }): string {
  const { view } = fields;
  const values = Object.fromEntries(
    Object.entries(fields.values).map(([block, actions]) => [block, Object.fromEntries(Object.entries(actions).map(([action, value]) => [action, { type: 'plain_text_input', value }]))]),
  );
  const payload = {
    ...interactionFrom('view_submission', fields.userId),
    trigger_id: newTriggerId(),
    view: {
      ...view.view,
      id: view.id,
      team_id: 'T0MESHOPS',
      app_id: 'A0MESHOPS',
      bot_id: 'BBOTMESH',
      hash: `${view.id}-hash`,
      state: { values },
    },
    response_urls: [],
    is_enterprise_install: false,
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
