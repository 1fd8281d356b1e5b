import { z } from 'zod';
import { MeshSpec, meshSpecFor, type MeshSpecInput } from './mesh-spec';
import { SETUP_KEYS, SETUP_KEY_NAMES, type SetupKey, convertValue, setAt, setupKeyAt, setupKeyFor } from './setup-keys';
import { USAGE, VERBS, type Verb } from './command-usage';

/** A run id as the bot shows it, e.g. mesh/local--remote. */
export const RunRef = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,254}$/, { message: 'a run id has letters, digits and . _ : / - only, e.g. mesh/local--remote' });

/** A `/mesh` command after parsing: typed, validated, ready for authorization. */
export type MeshCommand =
  | { verb: 'help' }
  | { verb: 'runs' }
  | { verb: 'status'; run?: string }
  | { verb: 'cancel'; run: string; rollback: boolean }
  | { verb: 'setup' | 'teardown' | 'verify'; spec: MeshSpec; keys: SetupKey[] };

export type ParseResult = { ok: true; command: MeshCommand } | { ok: false; error: string; usage: string };

const MAX_TEXT = 2000;

/**
 * Slack's escaped mentions (<@U1|ann>, <!subteam^S1|@ops>), auto-links (a context such as
 * admin@prod arrives as <mailto:admin@prod|admin@prod>) and entities (&amp;) as plain words.
 */
function normalise(text: string): string {
  return text
    .replace(/<@([A-Z0-9]+)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>/g, '!subteam^$1')
    .replace(/<(?:mailto:|https?:\/\/)[^|>\s]*\|([^>\s]*)>/g, '$1')
    .replace(/<((?:https?:\/\/)[^|>\s]*)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let prev = row[0];
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const next = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = next;
      }
    }
    return row[b.length];
  };
  const best = candidates.map((c) => ({ c, d: distance(word.toLowerCase(), c.toLowerCase()) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= 2 ? best.c : undefined;
}

const show = (word: string) => `\`${word.length > 40 ? `${word.slice(0, 40)}…` : word}\``;

function reject(verb: Verb | undefined, error: string): ParseResult {
  return { ok: false, error, usage: verb ? USAGE[verb] : VERBS.map((v) => USAGE[v]).join('\n') };
}

function parseSpecCommand(verb: 'setup' | 'teardown' | 'verify', args: string[]): ParseResult {
  const positional = args.filter((a) => !a.includes('='));
  const pairs = args.filter((a) => a.includes('='));
  if (positional.length < 2) return reject(verb, `\`${verb}\` needs the local and the remote kubeconfig context.`);
  if (positional.length > 2) {
    const extra = positional[2];
    const hint = setupKeyFor(extra) ? ` Options are written as \`${setupKeyFor(extra)}=value\`.` : ' Options are written as `key=value`.';
    return reject(verb, `\`${verb}\` takes two contexts, not ${show(extra)} as well.${hint}`);
  }
  const [local, remote] = positional;
  const input: MeshSpecInput = meshSpecFor(local, remote);
  const seen: SetupKey[] = [];
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const name = pair.slice(0, at);
    const key = setupKeyFor(name);
    if (!key) {
      const near = closest(name, SETUP_KEY_NAMES);
      return reject(verb, `Unknown key ${show(name)}.${near ? ` Did you mean \`${near}\`?` : ''} Keys: ${SETUP_KEY_NAMES.join(', ')}.`);
    }
    if (seen.includes(key)) return reject(verb, `\`${key}\` is given twice; give it once.`);
    seen.push(key);
    const converted = convertValue(key, pair.slice(at + 1));
    if ('error' in converted) return reject(verb, converted.error);
    setAt(input, SETUP_KEYS[key].path, converted.value);
  }
  const result = MeshSpec.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = setupKeyAt(issue.path);
      const where = issue.path.join('.');
      if (key) return `\`${key}\`: ${issue.message} (e.g. \`${SETUP_KEYS[key].example}\`)`;
      if (where === 'local.context') return `<local-context> ${show(local)}: ${issue.message}`;
      if (where === 'remote.context') return `<remote-context> ${show(remote)}: ${issue.message}`;
      return `${where || 'input'}: ${issue.message}`;
    });
    return reject(verb, problems.join('\n'));
  }
  return { ok: true, command: { verb, spec: result.data, keys: seen } };
}

/** Parses the text after `/mesh`. Never throws: bad input becomes a message and the right form. */
export function parseMeshCommand(raw: string): ParseResult {
  if (raw.length > MAX_TEXT) return reject(undefined, `The command is ${raw.length} characters long; keep it under ${MAX_TEXT}.`);
  const words = normalise(raw).split(/\s+/).filter(Boolean);
  if (words.length === 0) return { ok: true, command: { verb: 'help' } };
  const [first, ...args] = words;
  const verb = VERBS.find((v) => v === first.toLowerCase());
  if (!verb) {
    const near = closest(first, VERBS);
    return reject(undefined, `Unknown command ${show(first)}.${near ? ` Did you mean \`${near}\`?` : ''}`);
  }
  switch (verb) {
    case 'help':
    case 'runs':
      return args.length === 0 ? { ok: true, command: { verb } } : reject(verb, `\`${verb}\` takes no arguments, not ${show(args[0])}.`);
    case 'status': {
      if (args.length > 1) return reject(verb, `\`status\` takes at most one run id, not ${show(args[1])} as well.`);
      if (args.length === 0) return { ok: true, command: { verb } };
      const run = RunRef.safeParse(args[0]);
      return run.success ? { ok: true, command: { verb, run: run.data } } : reject(verb, `<run> ${show(args[0])}: ${run.error.issues[0].message}`);
    }
    case 'cancel': {
      const flags = args.filter((a) => a.startsWith('--'));
      const rest = args.filter((a) => !a.startsWith('--'));
      const unknown = flags.find((f) => f !== '--rollback');
      if (unknown) return reject(verb, `Unknown flag ${show(unknown)}; the only flag is \`--rollback\`.`);
      if (flags.length > 1) return reject(verb, '`--rollback` is given twice; give it once.');
      if (rest.length !== 1) return reject(verb, rest.length === 0 ? '`cancel` needs the run id.' : `\`cancel\` takes one run id, not ${show(rest[1])} as well.`);
      const run = RunRef.safeParse(rest[0]);
      if (!run.success) return reject(verb, `<run> ${show(rest[0])}: ${run.error.issues[0].message}`);
      return { ok: true, command: { verb, run: run.data, rollback: flags.length === 1 } };
    }
    case 'setup':
    case 'teardown':
    case 'verify':
      return parseSpecCommand(verb, args);
  }
}
