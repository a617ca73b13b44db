import { TwinfoldError } from '../../shared/errors';

/** The TwinfoldError code `fn` throws; fails the test when it throws anything else or nothing. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TwinfoldError);
    return (err as TwinfoldError).code;
  }
  throw new Error('expected a throw');
}
