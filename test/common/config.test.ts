import { parseConfig } from '../../common/config';

const home = '/home/ops';

describe('parseConfig', () => {
  it('fills defaults for an empty environment: embedded dev server, cache under home', () => {
    const config = parseConfig({ env: {}, home });
    expect(config.temporal.address).toBeUndefined();
    expect(config.temporal.taskQueue).toBe('meshops');
    expect(config.temporal.namespace).toBe('default');
    expect(config.cacheDir).toBe('/home/ops/.cache/meshops');
    expect(config.slack.port).toBe(3000);
  });

  it('lets environment variables override the file', () => {
    const file = { name: 'meshops.yaml', text: 'temporal:\n  address: file-host:7233\n  taskQueue: from-file\nlogLevel: debug\n' };
    const config = parseConfig({ env: { TEMPORAL_ADDRESS: 'env-host:7233' }, home, file });
    expect(config.temporal.address).toBe('env-host:7233');
    expect(config.temporal.taskQueue).toBe('from-file');
    expect(config.logLevel).toBe('debug');
  });

  it('names the bad field, its variable and the fix', () => {
    expect(() => parseConfig({ env: { TEMPORAL_ADDRESS: 'http://temporal' }, home })).toThrow(
      /temporal\.address: use host:port, e\.g\. temporal\.example\.com:7233[\s\S]*set by TEMPORAL_ADDRESS/,
    );
    expect(() => parseConfig({ env: { SLACK_BOT_TOKEN: 'xoxp-user-token' }, home })).toThrow(/slack\.botToken: a bot token starts with xoxb-/);
    expect(() => parseConfig({ env: { PORT: 'eighty' }, home })).toThrow(/slack\.port/);
  });

  it('says which file is not YAML', () => {
    expect(() => parseConfig({ env: {}, home, file: { name: 'bad.yaml', text: 'temporal: [unclosed' } })).toThrow(/Invalid config file bad\.yaml:\s+not valid YAML/);
    expect(() => parseConfig({ env: {}, home, file: { name: 'list.yaml', text: '- a\n- b\n' } })).toThrow(/top level must be a mapping/);
  });

  it('never echoes a secret value in its error', () => {
    const secret = 'xoxp-super-secret-value';
    try {
      parseConfig({ env: { SLACK_BOT_TOKEN: secret }, home });
      throw new Error('expected a validation error');
    } catch (err) {
      expect((err as Error).message).not.toContain(secret);
    }
  });
});
