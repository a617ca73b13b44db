import { ConfigError } from './env-parsers';

/**
 * The exit codes of every twinfold process (service, bridge, simulator), documented in the README:
 * 0 a clean stop; 1 a failure (could not start, crashed, or did not stop cleanly); 2 invalid
 * configuration or usage, reported before anything started (fix the settings, do not restart).
 */
export const EXIT_CODES = { ok: 0, failed: 1, invalidConfiguration: 2 } as const;

/**
 * Runs a component's entry point. A ConfigError is printed (one line per invalid setting) and
 * exits 2; any other failure to start is printed and exits 1. `main` exits by itself once running.
 */
export function runMain(component: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`twinfold ${component}: ${err.message}\n`);
      process.exit(EXIT_CODES.invalidConfiguration);
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`twinfold ${component}: failed to start: ${message}\n`);
    process.exit(EXIT_CODES.failed);
  });
}
