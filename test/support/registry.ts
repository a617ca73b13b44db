/** The tests and the benchmarks start their schema registry the same way (scripts/registry.sh). */
export { registryUrl, startRegistry, type TestRegistry } from '../../bench/support/registry';
