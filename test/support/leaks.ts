import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Processes the tests spawn are listed while they run (a file per pid beside the run's env file),
 * so the global teardown can tell a process some test forgot to stop. A leaked child keeps jest
 * from exiting after a green run; the teardown kills it and fails the run, naming it.
 */
function dir(): string | undefined {
  const file = process.env.TWINFOLD_TEST_ENV_FILE;
  return file ? `${file}.pids` : undefined;
}

export function noteSpawned(pid: number | undefined, name: string): () => void {
  const d = dir();
  if (pid === undefined || d === undefined) return () => undefined;
  mkdirSync(d, { recursive: true });
  const file = join(d, String(pid));
  writeFileSync(file, name);
  return () => rmSync(file, { force: true });
}

/** Kills every listed process still alive and returns their names; forgets the list. */
export function killLeaked(): string[] {
  const d = dir();
  if (d === undefined) return [];
  const leaked: string[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(d);
  } catch {
    return [];
  }
  for (const entry of entries) {
    const pid = Number(entry);
    try {
      process.kill(pid, 'SIGKILL');
      leaked.push(`${readFileSync(join(d, entry), 'utf8')} (pid ${pid})`);
    } catch {
      // already gone: its exit was not seen (the test process ended first)
    }
  }
  rmSync(d, { recursive: true, force: true });
  return leaked;
}
