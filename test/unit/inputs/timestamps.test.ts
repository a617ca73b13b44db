import { TwinfoldError } from '../../../shared/errors';
import { parseTimestamp } from '../../../shared/inputs';

const T = Date.UTC(2026, 10, 24, 10, 30, 0); // 2026-11-24T10:30:00Z

function rejects(value: unknown): void {
  expect(() => parseTimestamp(value)).toThrow(TwinfoldError);
  try {
    parseTimestamp(value);
  } catch (err) {
    expect((err as TwinfoldError).code).toBe('VALIDATION_ERROR');
  }
}

describe('parseTimestamp', () => {
  it('reads numbers below 1e11 as epoch seconds', () => {
    expect(parseTimestamp(T / 1000)).toBe(T);
    expect(parseTimestamp(T / 1000 + 0.25)).toBe(T + 250);
    expect(parseTimestamp(0)).toBe(0);
    expect(parseTimestamp(99_999_999_999)).toBe(99_999_999_999_000);
  });

  it('reads numbers from 1e11 on as epoch milliseconds', () => {
    expect(parseTimestamp(T)).toBe(T);
    expect(parseTimestamp(1e11)).toBe(1e11);
    expect(parseTimestamp(T + 0.4)).toBe(T);
  });

  it('reads ISO-8601 with Z or an offset, with or without seconds and fractions', () => {
    expect(parseTimestamp('2026-11-24T10:30:00Z')).toBe(T);
    expect(parseTimestamp('2026-11-24T10:30:00.123Z')).toBe(T + 123);
    expect(parseTimestamp('2026-11-24T10:30:00.1234567Z')).toBe(T + 123);
    expect(parseTimestamp('2026-11-24T10:30:00.5Z')).toBe(T + 500);
    expect(parseTimestamp('2026-11-24T10:30Z')).toBe(T);
    expect(parseTimestamp('2026-11-24T11:30:00+01:00')).toBe(T);
    expect(parseTimestamp('2026-11-24T05:00:00-05:30')).toBe(T);
  });

  it('accepts Feb 29 in a leap year only', () => {
    expect(parseTimestamp('2028-02-29T00:00:00Z')).toBe(Date.UTC(2028, 1, 29));
    rejects('2026-02-29T00:00:00Z');
  });

  it('rejects impossible or zone-less dates and other types', () => {
    for (const v of [
      '2026-02-30T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-11-24T24:00:00Z',
      '2026-11-24T10:60:00Z',
      '2026-11-24T10:30:60Z',
      '2026-11-24T10:30:00+24:00',
      '2026-11-24T10:30:00', // no zone: would depend on the host
      '2026-11-24',
      'yesterday',
      '1795516200',
      '',
      -1,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      null,
      true,
      {},
      [],
    ]) {
      rejects(v);
    }
  });

  it('rejects times a Date cannot hold', () => {
    rejects(8.64e15 + 1);
  });

  it('names the field in the error', () => {
    expect(() => parseTimestamp('x', 'ts')).toThrow(/^ts /);
  });
});
