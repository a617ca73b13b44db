/** The tests and the benchmarks find free ports the same way. */
export { freePort } from '../../bench/support/ports';
