import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_NAMESPACE, DEFAULT_TASK_QUEUE } from './naming';
import { ValidationError, describeIssues } from './errors';

// Pure: load-config.ts reads the file and the environment (the one place in common/ that does) and
// hands both in. yaml is a pure parser, the one dependency besides zod.

const port = z.coerce.number().int().min(1).max(65535);
const url = z.url({ message: 'use a full URL, e.g. http://localhost:8233' });

export const Config = z
  .object({
    temporal: z
      .object({
        address: z
          .string()
          .regex(/^[^\s:]+:\d+$/, { message: 'use host:port, e.g. temporal.example.com:7233' })
          .optional()
          .describe('Temporal frontend; unset starts the embedded dev server'),
        namespace: z.string().min(1).default(DEFAULT_NAMESPACE),
        taskQueue: z.string().min(1).default(DEFAULT_TASK_QUEUE),
        uiUrl: url.optional().describe('Temporal UI base URL, for links in Slack'),
        devServerPort: port.default(7233),
        devServerUiPort: port.default(8233),
      })
      .default({ namespace: DEFAULT_NAMESPACE, taskQueue: DEFAULT_TASK_QUEUE, devServerPort: 7233, devServerUiPort: 8233 }),
    cacheDir: z.string().min(1).describe('Where binaries and the dev server database live'),
    kubeconfig: z.string().optional().describe('kubeconfig file with the mesh contexts; default ~/.kube/config'),
    rootCaDir: z
      .string()
      .optional()
      .describe('Directory with root-cert.pem and root-key.pem of your own root CA; unset: one is generated per mesh'),
    istioctl: z.string().optional().describe('istioctl binary that renders manifests; default: PATH, then the meshops cache'),
    allowDevIstioctl: z
      .union([z.boolean(), z.enum(['true', 'false'], { message: 'use true or false' })])
      .transform((v) => v === true || v === 'true')
      .default(false)
      .describe('Accept a development build of istioctl (x.y-dev) for the spec\'s minor release; default: istioctl must be the spec\'s istio.version'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
    metricsPort: port.optional().describe('Port of the worker\'s /metrics and /healthz'),
    slack: z
      .object({
        botToken: z.string().startsWith('xoxb-', { message: 'a bot token starts with xoxb-' }).optional(),
        signingSecret: z.string().min(1).optional(),
        appToken: z.string().startsWith('xapp-', { message: 'an app-level token starts with xapp-' }).optional(),
        apiUrl: url.optional().describe('Slack Web API base URL; tests point it at a stand-in'),
        port: port.default(3000),
        policyFile: z.string().optional().describe('Authorization policy (YAML or JSON)'),
        defaultChannel: z.string().optional().describe('Channel for runs started outside Slack (CLI, schedules)'),
      })
      .default({ port: 3000 }),
  })
  .describe('meshops configuration');
export type Config = z.infer<typeof Config>;

type Env = Record<string, string | undefined>;

/** Environment variables and the config keys they set. Documented in the README's table. */
export const ENV_KEYS: Record<string, string> = {
  TEMPORAL_ADDRESS: 'temporal.address',
  TEMPORAL_NAMESPACE: 'temporal.namespace',
  MESHOPS_TASK_QUEUE: 'temporal.taskQueue',
  TEMPORAL_UI_URL: 'temporal.uiUrl',
  MESHOPS_DEV_SERVER_PORT: 'temporal.devServerPort',
  MESHOPS_DEV_SERVER_UI_PORT: 'temporal.devServerUiPort',
  MESHOPS_CACHE_DIR: 'cacheDir',
  KUBECONFIG: 'kubeconfig',
  MESHOPS_ISTIOCTL: 'istioctl',
  MESHOPS_ROOT_CA_DIR: 'rootCaDir',
  MESHOPS_ALLOW_DEV_ISTIOCTL: 'allowDevIstioctl',
  LOG_LEVEL: 'logLevel',
  MESHOPS_METRICS_PORT: 'metricsPort',
  SLACK_BOT_TOKEN: 'slack.botToken',
  SLACK_SIGNING_SECRET: 'slack.signingSecret',
  SLACK_APP_TOKEN: 'slack.appToken',
  SLACK_API_URL: 'slack.apiUrl',
  PORT: 'slack.port',
  MESHOPS_POLICY_FILE: 'slack.policyFile',
  MESHOPS_SLACK_CHANNEL: 'slack.defaultChannel',
};

function setPath(target: Record<string, unknown>, path: string, value: string): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    node[key] = typeof node[key] === 'object' && node[key] !== null ? node[key] : {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

export interface ConfigSources {
  env: Env;
  home: string;
  /** Text of the file named by MESHOPS_CONFIG, when there is one. */
  file?: { name: string; text: string };
}

/** Builds the configuration: file first, environment variables over it, then defaults. */
export function parseConfig({ env, home, file }: ConfigSources): Config {
  let raw: Record<string, unknown> = {};
  if (file) {
    try {
      const parsed: unknown = parseYaml(file.text);
      if (parsed !== null && parsed !== undefined) {
        if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the top level must be a mapping');
        raw = parsed as Record<string, unknown>;
      }
    } catch (err) {
      throw new ValidationError(`config file ${file.name}`, `not valid YAML or JSON: ${(err as Error).message}`);
    }
  }
  for (const [name, path] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, path, value);
  }
  raw.cacheDir ??= `${home}/.cache/meshops`;
  const result = Config.safeParse(raw);
  if (!result.success) {
    const where = file ? `config (file ${file.name} and environment)` : 'config (environment)';
    const hint = Object.entries(ENV_KEYS)
      .filter(([, path]) => result.error.issues.some((i) => i.path.join('.') === path))
      .map(([name, path]) => `${path} is set by ${name}`)
      .join('; ');
    throw new ValidationError(where, describeIssues(result.error) + (hint ? `\n(${hint})` : ''));
  }
  return result.data;
}
