import type { MeshSpecInput } from './mesh-spec';

/** What kind of value a key takes, and how the text after `=` becomes that value. */
type Kind = 'boolean' | 'integer' | 'number' | 'string' | 'list' | 'approvers';

interface KeyInfo {
  /** Where the value goes in MeshSpec. */
  path: readonly string[];
  kind: Kind;
  example: string;
}

/** `key=value` words of setup / teardown / verify and the MeshSpec field each one sets. */
export const SETUP_KEYS = {
  rollback: { path: ['rollback'], kind: 'boolean', example: 'rollback=true' },
  requests: { path: ['verify', 'requests'], kind: 'integer', example: 'requests=50' },
  minShare: { path: ['verify', 'minShare'], kind: 'number', example: 'minShare=0.2' },
  maxFailures: { path: ['verify', 'maxFailures'], kind: 'integer', example: 'maxFailures=1' },
  verdicts: { path: ['verify', 'verdicts'], kind: 'list', example: 'verdicts=control-plane (or control-plane,data-plane)' },
  plaintextXds: { path: ['verify', 'plaintextXds'], kind: 'boolean', example: 'plaintextXds=true' },
  meshId: { path: ['meshId'], kind: 'string', example: 'meshId=mesh1' },
  localNetwork: { path: ['local', 'network'], kind: 'string', example: 'localNetwork=network1' },
  remoteNetwork: { path: ['remote', 'network'], kind: 'string', example: 'remoteNetwork=network2' },
  localCluster: { path: ['local', 'clusterName'], kind: 'string', example: 'localCluster=east' },
  remoteCluster: { path: ['remote', 'clusterName'], kind: 'string', example: 'remoteCluster=west' },
  istio: { path: ['istio', 'version'], kind: 'string', example: 'istio=1.31.0' },
  hub: { path: ['istio', 'hub'], kind: 'string', example: 'hub=registry.istio.io/release' },
  remoteApiServer: { path: ['remote', 'apiServer'], kind: 'string', example: 'remoteApiServer=https://10.0.0.5:6443' },
  purge: { path: ['purge'], kind: 'boolean', example: 'purge=true' },
  profile: { path: ['istio', 'profile'], kind: 'string', example: 'profile=primary-remote' },
  samples: { path: ['samples', 'deploy'], kind: 'boolean', example: 'samples=false' },
  namespace: { path: ['samples', 'namespace'], kind: 'string', example: 'namespace=sample' },
  approvers: { path: ['approval', 'approvers'], kind: 'approvers', example: 'approvers=@alice,@oncall' },
  gates: { path: ['approval', 'gates'], kind: 'list', example: 'gates=install-remote,link-secret (or gates=none)' },
  timeout: { path: ['approval', 'timeout'], kind: 'string', example: 'timeout=2h' },
} as const satisfies Record<string, KeyInfo>;
export type SetupKey = keyof typeof SETUP_KEYS;
export const SETUP_KEY_NAMES = Object.keys(SETUP_KEYS) as SetupKey[];

export function setupKeyFor(name: string): SetupKey | undefined {
  return SETUP_KEY_NAMES.find((k) => k.toLowerCase() === name.toLowerCase());
}

/** The key whose MeshSpec field holds `path` (a zod issue path), to name it in an error. */
export function setupKeyAt(path: readonly PropertyKey[]): SetupKey | undefined {
  const dotted = path.map(String).join('.');
  return SETUP_KEY_NAMES.find((k) => {
    const keyPath = SETUP_KEYS[k].path.join('.');
    return dotted === keyPath || dotted.startsWith(`${keyPath}.`);
  });
}

const TRUE = ['true', 'yes', 'on', '1'];
const FALSE = ['false', 'no', 'off', '0'];

/**
 * Slack sends mentions as <@U123|name> and <!subteam^S123|@group>; the grammar sees @U123 and
 * !subteam^S123. User ids start with U, or W on Enterprise Grid (org-wide users).
 */
const USER = /^@?([UW][A-Z0-9]{2,})$/;
const GROUP = /^!subteam\^(S[A-Z0-9]{2,})$/;

/** Converts the text after `=`; a string result is an error message. */
export function convertValue(key: SetupKey, raw: string): { value: unknown } | { error: string } {
  const { kind, example } = SETUP_KEYS[key];
  const fail = (what: string) => ({ error: `\`${key}=${raw}\`: ${what}, e.g. \`${example}\`` });
  if (raw === '') return fail('the value is missing');
  switch (kind) {
    case 'boolean':
      if (TRUE.includes(raw.toLowerCase())) return { value: true };
      if (FALSE.includes(raw.toLowerCase())) return { value: false };
      return fail('use true or false');
    case 'integer':
      return /^-?\d{1,9}$/.test(raw) ? { value: Number(raw) } : fail('use a whole number');
    case 'number':
      return /^-?\d{1,9}(\.\d{1,9})?$/.test(raw) ? { value: Number(raw) } : fail('use a number');
    case 'string':
      return { value: raw };
    case 'list':
      if (raw.toLowerCase() === 'none') return { value: [] };
      return raw.split(',').some((s) => s === '') ? fail('separate the items with single commas') : { value: raw.split(',') };
    case 'approvers': {
      const users: string[] = [];
      const groups: string[] = [];
      for (const item of raw.split(',')) {
        const user = USER.exec(item);
        const group = GROUP.exec(item);
        if (user) users.push(user[1]);
        else if (group) groups.push(group[1]);
        else if (/^@[a-z0-9._-]+$/i.test(item)) groups.push(item.slice(1));
        else return fail(`\`${item}\` is not a Slack user or user group; mention them`);
      }
      return { value: { users, groups } };
    }
  }
}

/** Writes `value` at `path` inside `target`, creating the objects on the way. */
export function setAt(target: MeshSpecInput, path: readonly string[], value: unknown): void {
  let node = target as Record<string, unknown>;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}
