import type { JsonObject } from '../../../shared/json';
import { edits } from '../../../topology/history/edit';
import { editPair } from '../../../topology/history/edit-pair';
import {
  decodeChange,
  decodeReading,
  encodeChange,
  encodeEntry,
  encodeReading,
  type ChangeEntry,
  type ReadingEntry,
} from '../../../topology/history/entries';

const reading: ReadingEntry = {
  t: 1_795_514_400_123,
  r: 1_795_514_400_456,
  s: 's',
  o: 's00000000000000ff',
  x: 1_798_106_400_123,
  v: { temperature: 21.5, env: { humidity: 40 }, note: 'ok', list: [1, null] },
  c: 1,
};

describe('history reading entries', () => {
  it('read back the compact form exactly, clock or not', () => {
    expect(decodeReading(encodeReading(reading).toString('utf8'))).toEqual(reading);
    const { c: _c, ...trusted } = reading;
    expect(
      decodeReading(encodeReading({ ...trusted, s: 't', o: 't0000000000000000' }).toString('utf8')),
    ).toEqual({
      ...trusted,
      s: 't',
      o: 't0000000000000000',
    });
  });

  it('still read the JSON form of stores and changelogs written before it', () => {
    expect(decodeReading(encodeEntry(reading).toString('utf8'))).toEqual(reading);
    expect(encodeReading(reading).length).toBeLessThan(encodeEntry(reading).length);
  });

  it('refuse a damaged entry and a position that is not the source', () => {
    const text = encodeReading(reading).toString('utf8');
    expect(() => decodeReading(text.slice(0, 20))).toThrow('undecodable reading');
    expect(() => decodeReading(text.replace('s00000000000000ff', 'x00000000000000ff'))).toThrow(
      'undecodable reading',
    );
    expect(() => decodeReading(`${text.slice(0, 5)}g${text.slice(6)}`)).toThrow('undecodable reading');
    expect(() => encodeReading({ ...reading, s: 't' })).toThrow(RangeError);
  });
});

describe('history change entries', () => {
  const before: JsonObject = { a: 1, b: { c: null, d: [1] }, gone: 'x', same: { k: 1 } };
  const after: JsonObject = { a: 2, b: { c: 3, d: [1], e: null }, same: { k: 1 }, added: { z: true } };
  const head: Omit<ChangeEntry, 'f' | 'u'> = {
    n: 7,
    t: 1000,
    x: 2000,
    k: ['reported'],
    a: 'device',
    w: 'why',
  };

  it('keep both edits in one tree and give them back exactly', () => {
    const [f, u] = edits(before, after)!;
    const stored = encodeChange(head, editPair(before, after));
    expect(decodeChange(stored.toString('utf8'))).toEqual({ ...head, f, u });
    expect(stored.length).toBeLessThan(encodeEntry({ ...head, f, u }).length);
    expect(decodeChange(encodeChange(head, undefined).toString('utf8'))).toEqual(head);
    const created = editPair(undefined, after);
    expect(decodeChange(encodeChange(head, created).toString('utf8'))).toMatchObject({
      f: { s: after },
      u: { d: 1 },
    });
  });

  it('still read changes stored as JSON with two edits', () => {
    const [f, u] = edits(before, after)!;
    expect(decodeChange(encodeEntry({ ...head, f, u }).toString('utf8'))).toEqual({ ...head, f, u });
  });

  it('refuse a damaged pair', () => {
    const text = encodeChange(head, editPair(before, after)).toString('utf8');
    expect(() => decodeChange(text.replace('"c":[2,1]', '"c":[2]'))).toThrow('undecodable change');
    expect(() => decodeChange(text.replace('"p":{"o"', '"p":{"q"'))).toThrow('undecodable change');
  });
});
