import {
  decodeReading,
  encodeEntry,
  encodeReading,
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
