import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { SCHEMAS } from '../../../api/openapi/schemas';
import { parseClientMessage } from '../../../api/ws/protocol';
import { parseAttributeMessage, parseRpcMessage } from '../../../adapters/thingsboard/tb-requests-map';
import { parseDownlinkRecord } from '../../../bridge/downlink-record';
import { compileTopicTemplate } from '../../../bridge/topic-template';
import { DEFAULT_JSON_LIMITS } from '../../../shared/safe-json';
import { decodeInput, INPUT_KINDS, type InputKind } from '../../../topology/twin';

/**
 * Every example in docs/contract.md is checked: a fenced block whose info string carries
 * `example=<kind>` (and optionally `key=<device id>`). Input kinds are decoded as the processor
 * decodes that topic's records, `twin` is validated against the OpenAPI twin document schema and
 * `schema:<Name>` against that OpenAPI schema, `downlink` is parsed as the bridge parses
 * device.downlink, `ws-client` is parsed as the WebSocket API parses client messages,
 * `thingsboard:attributes|rpc` as the ThingsBoard adapter parses ThingsBoard's requests, `json` must
 * be a JSON object.
 */
const CONTRACT = join(__dirname, '..', '..', '..', 'docs', 'contract.md');
const DEFAULT_KEY = 'sensor-001';
/** A fixed record time: examples are decoded as if heard at 2026-11-24T10:31:05Z. */
const RECORD_TIME_MS = Date.UTC(2026, 10, 24, 10, 31, 5);

interface Example {
  line: number;
  language: string;
  kind: string | undefined;
  key: string;
  body: string;
}

/** The fenced code blocks of a markdown text, with their info string parsed. */
export function fencedBlocks(markdown: string): Example[] {
  const blocks: Example[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)(.*)$/.exec(lines[i]!);
    if (open === null) continue;
    const attributes = new Map([...open[2]!.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!] as const));
    const start = i;
    const body: string[] = [];
    for (i += 1; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
    blocks.push({
      line: start + 1,
      language: open[1]!,
      kind: attributes.get('example'),
      key: attributes.get('key') ?? DEFAULT_KEY,
      body: body.join('\n'),
    });
  }
  return blocks;
}

function isInputKind(kind: string): kind is InputKind {
  return (INPUT_KINDS as readonly string[]).includes(kind);
}

const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
addFormats(ajv);
// The OpenAPI document's container of named schemas, which `$ref`s point into.
ajv.addKeyword('components');
ajv.addSchema({ $id: 'urn:twinfold:openapi', components: { schemas: SCHEMAS } });

function isSchemaName(name: string): name is keyof typeof SCHEMAS {
  return Object.hasOwn(SCHEMAS, name);
}

/** Validates against a schema of the OpenAPI document (components.schemas). */
function validateAgainst(name: string, value: unknown): void {
  if (!isSchemaName(name)) throw new Error(`no OpenAPI schema ${name}`);
  const validate = ajv.getSchema(`urn:twinfold:openapi#/components/schemas/${name}`);
  if (validate === undefined) throw new Error(`no OpenAPI schema ${name}`);
  if (!validate(value)) throw new Error(ajv.errorsText(validate.errors));
}

function validateTwinDocument(value: unknown): void {
  validateAgainst('TwinDocument', value);
  // The schema allows more members; the document has exactly its required ones.
  expect(Object.keys(value as object)).toEqual(SCHEMAS.TwinDocument.required);
}

const DOWNLINK_TOPICS = {
  command: compileTopicTemplate('device/{id}/command'),
  desired: compileTopicTemplate('device/{id}/desired'),
};

/** Throws when the example is not what its kind promises. */
function checkExample(example: Example): void {
  const { kind, key, body } = example;
  if (kind === undefined) throw new Error('a JSON block without example=<kind>');
  if (isInputKind(kind)) {
    const input = decodeInput(kind, key, Buffer.from(body), RECORD_TIME_MS);
    expect(input.kind).toBe(kind);
    expect(input.deviceId).toBe(key);
  } else if (kind === 'twin') {
    validateTwinDocument(JSON.parse(body));
  } else if (kind === 'downlink') {
    const delivery = parseDownlinkRecord(
      Buffer.from(key),
      Buffer.from(body),
      DOWNLINK_TOPICS,
      DEFAULT_JSON_LIMITS,
    );
    expect(delivery.deviceId).toBe(key);
  } else if (kind.startsWith('schema:')) {
    validateAgainst(kind.slice('schema:'.length), JSON.parse(body));
  } else if (kind === 'ws-client') {
    parseClientMessage(body, DEFAULT_JSON_LIMITS);
  } else if (kind === 'thingsboard:attributes' || kind === 'thingsboard:rpc') {
    const parse = kind === 'thingsboard:rpc' ? parseRpcMessage : parseAttributeMessage;
    expect(parse(Buffer.from(body), DEFAULT_JSON_LIMITS).kind).toBe('request');
  } else if (kind === 'json') {
    const parsed: unknown = JSON.parse(body);
    expect(parsed).toEqual(expect.any(Object));
  } else {
    throw new Error(`unknown example kind ${kind}`);
  }
}

const examples = fencedBlocks(readFileSync(CONTRACT, 'utf8')).filter(
  (block) => block.language === 'json' || block.kind !== undefined,
);

describe('docs/contract.md examples', () => {
  it('has an example of every input kind, the twin document and a downlink record', () => {
    const kinds = new Set(examples.map((e) => e.kind));
    for (const kind of [...INPUT_KINDS, 'twin', 'downlink']) expect(kinds).toContain(kind);
  });

  it.each(examples.map((e) => [`line ${e.line} (${e.kind ?? 'untagged'})`, e] as const))(
    'accepts the example at %s',
    (_name, example) => {
      checkExample(example);
    },
  );
});

describe('the example checker', () => {
  const twin = examples.find((e) => e.kind === 'twin')!;

  it.each([
    ['an untagged JSON block', { kind: undefined }],
    ['an unknown kind', { kind: 'telemetri' }],
    ['telemetry without readings', { kind: 'telemetry', body: '{"timestamp": 1707134400}' }],
    ['an ack without command_id', { kind: 'ack', body: '{"status": "success"}' }],
    ['a status that is no status', { kind: 'status', body: 'maybe' }],
    ['a registry op that does not exist', { kind: 'registry', body: '{"op": "rename"}' }],
    ['a twin in an unknown lifecycle', { body: twin.body.replace('"active"', '"retired"') }],
    ['a twin with a bad date', { body: twin.body.replace('"2026-11-24T09:00:00.000Z"', '"yesterday"') }],
    ['a twin without its version', { body: twin.body.replace('\n  "version": 17,', '') }],
    [
      'a downlink for another device',
      { kind: 'downlink', key: 'other-1', body: '{"kind":"desired","deviceId":"a-1","payload":{}}' },
    ],
    ['JSON that is not JSON', { kind: 'json', body: '{"a": 1,}' }],
    ['a WebSocket action that does not exist', { kind: 'ws-client', body: '{"action": "watch"}' }],
    [
      'an error envelope without its code',
      {
        kind: 'schema:ErrorEnvelope',
        body: '{"status":"error","error":{"message":"m"},"timestamp":"2026-11-24T10:31:02.120Z"}',
      },
    ],
    ['a schema that does not exist', { kind: 'schema:Nothing', body: '{}' }],
  ])('refuses %s', (_name, change) => {
    expect(() => checkExample({ ...twin, ...change })).toThrow();
  });
});
