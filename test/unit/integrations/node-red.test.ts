import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { NODE_RED_PACKAGE } from '../../support/node-red';

/**
 * The Node-RED package without a runtime: its manifest and example flows as Node-RED reads them,
 * and the pure parts of its nodes (the SSE parser, the request parameters). The nodes themselves
 * run against a real Node-RED and a real service in test/integration/node-red.test.ts.
 */
const load = createRequire(__filename);

interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}
interface SseParser {
  feed(chunk: string): void;
  lastEventId: string | undefined;
}
type SseParserClass = new (onEvent: (e: SseEvent) => void, onRetry?: (ms: number) => void) => SseParser;
interface Params {
  twinIdOf(configured: string | undefined, msg: Record<string, unknown>): string;
  timeParam(value: unknown, now?: number): string | undefined;
  filterQuery(configured: Record<string, unknown>, fromMsg: unknown): Record<string, string>;
  parseAttributeLines(text: string | undefined): Record<string, string>;
  ifMatchHeader(value: unknown): string | undefined;
  commandRequest(config: Record<string, unknown>, msg: Record<string, unknown>): Record<string, unknown>;
}

/** A module's exports, checked to have functions under the names a test uses. */
function exportsOf<T>(file: string, names: (keyof T & string)[]): T {
  const loaded: unknown = load(join(NODE_RED_PACKAGE, file));
  const record = loaded as Record<string, unknown> | null;
  for (const name of names) {
    if (typeof record?.[name] !== 'function') throw new Error(`${file} does not export the function ${name}`);
  }
  return loaded as T;
}

const { SseParser } = exportsOf<{ SseParser: SseParserClass }>('lib/sse.js', ['SseParser']);
const params = exportsOf<Params>('lib/params.js', [
  'twinIdOf',
  'timeParam',
  'filterQuery',
  'parseAttributeLines',
  'ifMatchHeader',
  'commandRequest',
]);

interface FlowNode {
  id: string;
  type: string;
  z?: string;
  server?: string;
  wires?: string[][];
  [key: string]: unknown;
}
const manifest = JSON.parse(readFileSync(join(NODE_RED_PACKAGE, 'package.json'), 'utf8')) as {
  name: string;
  keywords: string[];
  files: string[];
  'node-red': { version: string; nodes: Record<string, string> };
};
const declared = manifest['node-red'].nodes;
/** Node-RED's own nodes that the examples use. */
const CORE = new Set([
  'tab',
  'inject',
  'debug',
  'change',
  'switch',
  'function',
  'catch',
  'status',
  'comment',
]);

describe('the Node-RED package manifest', () => {
  it('follows the packaging conventions: scoped name, keyword, runtime version, nodes with .js and .html', () => {
    expect(manifest.name).toMatch(/^@[a-z0-9-]+\/node-red-[a-z0-9-]+$/);
    expect(manifest.keywords).toContain('node-red');
    expect(manifest['node-red'].version).toMatch(/^>=\d/);
    expect(manifest.files).toEqual(expect.arrayContaining(['nodes/', 'lib/', 'examples/']));
    for (const [type, file] of Object.entries(declared)) {
      expect(existsSync(join(NODE_RED_PACKAGE, file))).toBe(true);
      const html = readFileSync(join(NODE_RED_PACKAGE, file.replace(/\.js$/, '.html')), 'utf8');
      expect(html).toContain(`RED.nodes.registerType('${type}'`);
      expect(html).toContain(`data-template-name="${type}"`);
      expect(html).toContain(`data-help-name="${type}"`);
    }
  });
});

describe('the example flows', () => {
  const examples = readdirSync(join(NODE_RED_PACKAGE, 'examples')).filter((f) => f.endsWith('.json'));

  it('exist', () => expect(examples.length).toBeGreaterThanOrEqual(3));

  it.each(examples)('%s: known node types, wires and config nodes that exist, no credentials', (file) => {
    const flow = JSON.parse(readFileSync(join(NODE_RED_PACKAGE, 'examples', file), 'utf8')) as FlowNode[];
    const ids = new Set(flow.map((n) => n.id));
    expect(ids.size).toBe(flow.length);
    for (const node of flow) {
      expect(CORE.has(node.type) || node.type in declared).toBe(true);
      for (const target of (node.wires ?? []).flat()) expect(ids.has(target)).toBe(true);
      if (node.z !== undefined) expect(ids.has(node.z)).toBe(true);
      if (node.type.startsWith('twinfold-') && node.type !== 'twinfold-server') {
        expect(flow.find((n) => n.id === node.server)?.type).toBe('twinfold-server');
      }
      expect(Object.keys(node)).not.toEqual(expect.arrayContaining(['credentials']));
      if (node.type === 'twinfold-server') expect(Object.keys(node).sort()).toEqual(['id', 'name', 'type']);
    }
    expect(flow.some((n) => n.type.startsWith('twinfold-') && n.type !== 'twinfold-server')).toBe(true);
  });
});

describe('the SSE parser', () => {
  const parse = (...chunks: string[]): { events: SseEvent[]; parser: SseParser; retries: number[] } => {
    const events: SseEvent[] = [];
    const retries: number[] = [];
    const parser = new SseParser(
      (e) => events.push(e),
      (ms) => retries.push(ms),
    );
    for (const chunk of chunks) parser.feed(chunk);
    return { events, parser, retries };
  };

  it('takes the id-only opening block as the position without an event', () => {
    const { events, parser, retries } = parse('retry: 2000\nid: 0:5\n\n');
    expect(events).toEqual([]);
    expect(parser.lastEventId).toBe('0:5');
    expect(retries).toEqual([2000]);
  });

  it('joins lines split across chunks and CRLF, skips comments, keeps the last id', () => {
    const { events, parser } = parse(
      ': heartbeat\r\nid: 0:6\r\nevent: twin\r\nda',
      'ta: {"id":"a",\r\ndata: "version":2}\r\n\r\n',
      'id: 0:7\nevent: deleted\ndata: {"id":"a"}\n\n',
    );
    expect(events).toEqual([
      { id: '0:6', event: 'twin', data: '{"id":"a",\n"version":2}' },
      { id: '0:7', event: 'deleted', data: '{"id":"a"}' },
    ]);
    expect(parser.lastEventId).toBe('0:7');
  });

  it('dispatches nothing before the blank line, and names an unnamed event "message"', () => {
    const { events } = parse('data: x\n');
    expect(events).toEqual([]);
    const done = parse('data: x\n', '\n');
    expect(done.events).toEqual([{ id: undefined, event: 'message', data: 'x' }]);
  });
});

describe('request parameters', () => {
  it('takes the twin id from the node, then msg.twinId, then msg.topic', () => {
    expect(params.twinIdOf('n', { twinId: 'm', topic: 't' })).toBe('n');
    expect(params.twinIdOf('', { twinId: 'm', topic: 't' })).toBe('m');
    expect(params.twinIdOf(undefined, { topic: ' t ' })).toBe('t');
    expect(() => params.twinIdOf('', {})).toThrow(/no twin id/);
  });

  it('turns relative times into epoch milliseconds from now and passes the API its own forms', () => {
    const now = Date.now();
    expect(params.timeParam('-15m', now)).toBe(String(now - 15 * 60000));
    expect(params.timeParam('-1.5h', now)).toBe(String(now - 5400000));
    expect(params.timeParam('now', now)).toBe(String(now));
    expect(params.timeParam(new Date(now), now)).toBe(String(now));
    expect(params.timeParam('2024-02-01', now)).toBe('2024-02-01');
    expect(params.timeParam(1707134400, now)).toBe('1707134400');
    expect(params.timeParam('', now)).toBeUndefined();
  });

  it("builds the list API's filters, msg.filter overriding the node, attributes as attr.KEY", () => {
    const configured = {
      type: 'valve',
      status: '',
      attributes: params.parseAttributeLines('site = a\nbad\nfloor=2'),
    };
    expect(params.filterQuery(configured, undefined)).toEqual({
      type: 'valve',
      'attr.site': 'a',
      'attr.floor': '2',
    });
    expect(params.filterQuery(configured, { type: 'pump', attributes: { site: 'b' }, sneaky: 'x' })).toEqual({
      type: 'pump',
      'attr.site': 'b',
      'attr.floor': '2',
    });
  });

  it('sends a version as a strong ETag and anything quoted as it is', () => {
    expect(params.ifMatchHeader(17)).toBe('"17"');
    expect(params.ifMatchHeader('17')).toBe('"17"');
    expect(params.ifMatchHeader('"17"')).toBe('"17"');
    expect(params.ifMatchHeader('*')).toBe('*');
    expect(params.ifMatchHeader(undefined)).toBeUndefined();
  });

  it('builds the command from the node with msg.payload as parameters, or from msg.payload alone', () => {
    expect(params.commandRequest({ action: 'reboot', ttl: '60' }, { payload: { delay: 1 } })).toEqual({
      action: 'reboot',
      parameters: { delay: 1 },
      ttl: 60,
    });
    expect(
      params.commandRequest(
        { action: '' },
        { payload: { action: 'open', parameters: { to: 5 }, priority: 3 } },
      ),
    ).toEqual({ action: 'open', parameters: { to: 5 }, priority: 3 });
    expect(() => params.commandRequest({}, { payload: 'x' })).toThrow(/no action/);
  });
});
