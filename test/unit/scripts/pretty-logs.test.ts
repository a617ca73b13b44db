import { PassThrough } from 'node:stream';
import { pipePretty, prettyLine } from '../../../scripts/pretty-logs';
import { createLogger } from '../../../shared/logger';

describe('npm start log output', () => {
  it('turns a JSON log line into one readable line', () => {
    const lines: string[] = [];
    createLogger({ component: 'processor', write: (l) => lines.push(l) }).warn('task failed', {
      partition: 1,
    });
    const text = prettyLine(false)(lines[0]!);
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: processor: task failed \{"partition":1\}\n$/);
  });

  it('passes other lines unchanged and prefixes every line with the process name', async () => {
    const from = new PassThrough();
    const to = new PassThrough();
    const out: string[] = [];
    to.on('data', (chunk: Buffer) => out.push(chunk.toString('utf8')));
    pipePretty('bridge', from, to, false);
    from.end('invalid configuration:\n{"level":"info","msg":"bridge running"}\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.join('')).toBe('bridge invalid configuration:\nbridge INFO: bridge running\n');
  });
});
