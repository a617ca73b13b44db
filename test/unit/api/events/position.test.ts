import {
  encodeFleetPosition,
  encodeTwinPosition,
  parseFleetPosition,
  parseTwinPosition,
} from '../../../../api/events/position';
import { TwinfoldError } from '../../../../shared/errors';

describe('event ids', () => {
  it('round-trip one twin and the fleet', () => {
    expect(parseTwinPosition(encodeTwinPosition(3, 1042), 3)).toBe(1042);
    expect(parseFleetPosition(encodeFleetPosition([17, 0, 42, 9]), 4)).toEqual([17, 0, 42, 9]);
  });

  it('reject a fleet id naming fewer partitions than device.twins has', () => {
    expect(() => parseFleetPosition('5.6', 4)).toThrow(/names 2 partitions; device.twins has 4/);
  });

  it.each([
    ['abc', 4],
    ['1.2.3.4.5', 4],
    ['1..2', 4],
    ['-1.2', 4],
    ['99999999999999999', 1],
    ['1,2', 4],
  ])('reject fleet id %j with 400', (raw, partitions) => {
    expect(() => parseFleetPosition(raw, partitions)).toThrow(TwinfoldError);
  });

  it('reject a twin id of another partition or shape', () => {
    expect(() => parseTwinPosition('2:10', 3)).toThrow(/names partition 2/);
    expect(() => parseTwinPosition('3-10', 3)).toThrow(/"<partition>:<offset>"/);
    expect(() => parseTwinPosition('10.0.3', 3)).toThrow(TwinfoldError);
  });
});
