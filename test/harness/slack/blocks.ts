/**
 * Block Kit and message-text limits as Slack enforces them for messages (chat.postMessage,
 * chat.update, chat.postEphemeral, response_url), from the Block Kit reference: at most 50 blocks;
 * section text 3000 characters and at most 10 fields of 2000; header text 150 (plain_text); context
 * at most 10 elements; actions at most 25 elements; a button's text 75 (plain_text), value 2000,
 * url 3000, action_id 255 and unique among the action_ids of its block; block_id 255. A message's
 * `text` over 40,000 characters is `msg_too_long`. Slack answers a bad layout with `invalid_blocks`
 * and one `errors` entry per problem, each with a JSON pointer.
 */

export const MESSAGE_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  actionId: 255,
  blockId: 255,
  text: 40_000,
} as const;

interface TextObject {
  type?: string;
  text?: unknown;
}

interface Element {
  type?: string;
  text?: TextObject | string;
  action_id?: unknown;
  value?: unknown;
  url?: unknown;
}

interface Block {
  type?: string;
  block_id?: unknown;
  text?: TextObject;
  fields?: TextObject[];
  elements?: Element[];
}

const len = (value: unknown) => (typeof value === 'string' ? [...value].length : 0);

/** The problems Slack would report for these blocks, as `<message> [json-pointer:/blocks/…]`; empty when valid. */
export function blockErrors(blocks: unknown): string[] {
  const errors: string[] = [];
  const at = (message: string, pointer: string) => errors.push(`${message} [json-pointer:${pointer}]`);
  if (!Array.isArray(blocks)) {
    at('must be an array', '/blocks');
    return errors;
  }
  if (blocks.length > MESSAGE_LIMITS.blocks) at(`no more than ${MESSAGE_LIMITS.blocks} items allowed`, '/blocks');
  (blocks as Block[]).forEach((block, i) => {
    const p = `/blocks/${i}`;
    if (typeof block !== 'object' || block === null || typeof block.type !== 'string') return void at('missing required field: type', p);
    if (len(block.block_id) > MESSAGE_LIMITS.blockId) at(`must be less than ${MESSAGE_LIMITS.blockId + 1} characters`, `${p}/block_id`);
    switch (block.type) {
      case 'section':
        if (!block.text && !block.fields) at('must provide either text or fields', p);
        if (block.text && len(block.text.text) > MESSAGE_LIMITS.sectionText) at(`must be less than ${MESSAGE_LIMITS.sectionText + 1} characters`, `${p}/text/text`);
        if (block.fields && block.fields.length > MESSAGE_LIMITS.sectionFields) at(`no more than ${MESSAGE_LIMITS.sectionFields} items allowed`, `${p}/fields`);
        block.fields?.forEach((f, j) => {
          if (len(f.text) > MESSAGE_LIMITS.sectionFieldText) at(`must be less than ${MESSAGE_LIMITS.sectionFieldText + 1} characters`, `${p}/fields/${j}/text`);
        });
        break;
      case 'header':
        if (block.text?.type !== 'plain_text') at('must be a plain_text text object', `${p}/text`);
        if (len(block.text?.text) > MESSAGE_LIMITS.headerText) at(`must be less than ${MESSAGE_LIMITS.headerText + 1} characters`, `${p}/text/text`);
        break;
      case 'context':
        if ((block.elements?.length ?? 0) > MESSAGE_LIMITS.contextElements) at(`no more than ${MESSAGE_LIMITS.contextElements} items allowed`, `${p}/elements`);
        break;
      case 'actions': {
        const elements = block.elements ?? [];
        if (elements.length > MESSAGE_LIMITS.actionsElements) at(`no more than ${MESSAGE_LIMITS.actionsElements} items allowed`, `${p}/elements`);
        const seen = new Set<string>();
        elements.forEach((e, j) => {
          const q = `${p}/elements/${j}`;
          if (typeof e.action_id === 'string') {
            if (len(e.action_id) > MESSAGE_LIMITS.actionId) at(`must be less than ${MESSAGE_LIMITS.actionId + 1} characters`, `${q}/action_id`);
            if (seen.has(e.action_id)) at('action_id must be unique within the block', `${q}/action_id`);
            seen.add(e.action_id);
          }
          if (e.type !== 'button') return;
          const text = typeof e.text === 'object' ? e.text : undefined;
          if (text?.type !== 'plain_text') at('must be a plain_text text object', `${q}/text`);
          if (len(text?.text) > MESSAGE_LIMITS.buttonText) at(`must be less than ${MESSAGE_LIMITS.buttonText + 1} characters`, `${q}/text/text`);
          if (len(e.value) > MESSAGE_LIMITS.buttonValue) at(`must be less than ${MESSAGE_LIMITS.buttonValue + 1} characters`, `${q}/value`);
          if (len(e.url) > MESSAGE_LIMITS.buttonUrl) at(`must be less than ${MESSAGE_LIMITS.buttonUrl + 1} characters`, `${q}/url`);
        });
        break;
      }
      default:
        break;
    }
  });
  return errors;
}

/** Slack's refusal of a message's content, or undefined when it would accept it. `needText`: no blocks means text is required. */
export function messageError(args: { text?: unknown; blocks?: unknown }): Record<string, unknown> | undefined {
  const hasBlocks = Array.isArray(args.blocks) && args.blocks.length > 0;
  if (!hasBlocks && !(typeof args.text === 'string' && args.text.length > 0)) return { ok: false, error: 'no_text' };
  if (len(args.text) > MESSAGE_LIMITS.text) return { ok: false, error: 'msg_too_long' };
  if (args.blocks !== undefined) {
    const errors = blockErrors(args.blocks);
    if (errors.length > 0) return { ok: false, error: 'invalid_blocks', errors, response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } };
  }
  return undefined;
}
