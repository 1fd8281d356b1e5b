import { Writable } from 'node:stream';
import { createLogger } from '../../worker/logger';

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('the worker\'s logger', () => {
  it('writes readable lines for a person at a terminal, secrets redacted as in JSON', () => {
    const out = sink();
    const logger = createLogger('info', 'meshops-worker', { pretty: true, destination: out.stream });
    logger.info({ taskQueue: 'meshops', slack: { botToken: 'xoxb-secret-1' } }, 'worker polling');
    const text = out.text();
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: worker polling\n {4}taskQueue: "meshops"\n {4}slack: \{\n {6}"botToken": "\[redacted\]"\n {4}\}\n$/);
    expect(text).not.toContain('xoxb-secret-1');
    expect(text).not.toContain('{"level"');
  });

  it('writes one JSON object per line for log collectors', () => {
    const out = sink();
    const logger = createLogger('info', 'meshops-worker', { pretty: false, destination: out.stream });
    logger.info({ token: 'eyJhbGciOi.secret' }, 'worker polling');
    const line = JSON.parse(out.text()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, name: 'meshops-worker', msg: 'worker polling', token: '[redacted]' });
  });
});
