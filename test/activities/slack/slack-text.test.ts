import { REDACTED, redactSecrets } from '../../../common/redact';
import { SLACK_LIMITS, checklistMrkdwn, escapeMrkdwn, slackSafe, temporalUiLink } from '../../../common/slack-text';
import { setupStatus } from './status-fixture';

describe('text that goes to Slack', () => {
  it.each([
    ['Slack bot token', 'failed with xoxb-1234-5678-abcdef', 'failed with [redacted]'],
    ['app token', 'SLACK_APP_TOKEN=xapp-1-A1-2-abc', 'SLACK_APP_TOKEN=[redacted]'],
    ['service-account JWT', 'bearer eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJpc3MiOiJrdWJlcm5ldGVzIn0.sig-nature_1', 'bearer [redacted]'],
    ['kubeconfig token field', 'users:\n- user:\n    token: abc.def.ghi', 'users:\n- user:\n    token: [redacted]'],
    ['client key data', 'client-key-data: LS0tLS1CRUdJTi', 'client-key-data: [redacted]'],
    ['private key block', 'key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\nafter', 'key:\n[redacted]\nafter'],
    ['JSON password', '{"password":"hunter2","user":"x"}', '{"password":"[redacted]","user":"x"}'],
  ])('redacts a %s', (_what, input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it('leaves ordinary text alone', () => {
    const text = 'istiod-7f9c in istio-system is not Ready after 5m; check `kubectl -n istio-system describe pod`';
    expect(redactSecrets(text)).toBe(text);
    expect(redactSecrets(REDACTED)).toBe(REDACTED);
  });

  it('cuts to the limit and says so', () => {
    const cut = slackSafe('x'.repeat(5000), SLACK_LIMITS.sectionText);
    expect(cut).toHaveLength(SLACK_LIMITS.sectionText);
    expect(cut.endsWith('… (cut)')).toBe(true);
    expect(slackSafe('short', 10)).toBe('short');
  });

  it('escapes Slack control characters and keeps a long checklist inside one section', () => {
    expect(escapeMrkdwn('<@U1> & <!channel>')).toBe('&lt;@U1&gt; &amp; &lt;!channel&gt;');
    const long = setupStatus({}, { preflight: { state: 'failed', error: `<!channel> ${'e'.repeat(4000)}` } });
    const text = checklistMrkdwn(long);
    expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('*Verify the traffic split* — pending'); // the last step is still shown
  });

  it('links a run in the Temporal UI only when its address is configured', () => {
    expect(temporalUiLink(undefined, 'default', 'mesh-setup/a--b')).toBeUndefined();
    expect(temporalUiLink('https://temporal.example.com/', 'prod ns', 'mesh-setup/a--b')).toBe('https://temporal.example.com/namespaces/prod%20ns/workflows/mesh-setup%2Fa--b');
  });
});
