import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports';

// From the sources (the tests, under ts-jest) or from dist/bench/support (the benchmarks).
const SCRIPT =
  [
    join(__dirname, '..', '..', 'scripts', 'registry.sh'),
    join(__dirname, '..', '..', '..', 'scripts', 'registry.sh'),
  ].find((f) => existsSync(f)) ?? 'scripts/registry.sh';
const run = promisify(execFile);

/** A real schema registry of a test's or benchmark's own: scripts/registry.sh on free ports, state in a temp dir. */
export interface TestRegistry {
  /** The Confluent API (SCHEMA_REGISTRY_URL). */
  url: string;
  /** How long the registry took to answer, as the script measured it. */
  startupMs: number;
  stop(): Promise<void>;
}

/** Where a registry will listen: known before it starts, so a service can be started alongside. */
export async function registryUrl(port?: number): Promise<{ port: number; url: string }> {
  const p = port ?? (await freePort());
  return { port: p, url: `http://127.0.0.1:${p}/apis/ccompat/v7` };
}

export async function startRegistry(at?: { port: number }): Promise<TestRegistry> {
  const { port, url } = await registryUrl(at?.port);
  const managementPort = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'twinfold-registry-'));
  const env = {
    ...process.env,
    REGISTRY_PORT: String(port),
    REGISTRY_MANAGEMENT_PORT: String(managementPort),
    REGISTRY_DATA_DIR: data,
  };
  const stop = async (): Promise<void> => {
    await run('bash', [SCRIPT, 'stop'], { env });
    rmSync(data, { recursive: true, force: true });
  };
  try {
    await run('bash', [SCRIPT, 'start'], { env, timeout: 180000 });
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  return {
    url,
    startupMs: Number(readFileSync(join(data, 'startup-ms'), 'utf8')),
    stop,
  };
}
