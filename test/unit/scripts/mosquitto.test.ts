import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderMosquittoConf } from '../../../scripts/mosquitto';
import { nextBackoff } from '../../../scripts/supervisor';

const SHIPPED = readFileSync(
  join(__dirname, '..', '..', '..', 'deploy', 'mosquitto', 'mosquitto.conf'),
  'utf8',
);

/** The effective settings: the last value of each name, comments and blank lines left out. */
function settings(conf: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of conf.split('\n')) {
    const m = /^([a-z_]+)\s+(.*)$/.exec(line.trim());
    if (m) out.set(m[1]!, [...(out.get(m[1]!) ?? []), m[2]!]);
  }
  return out;
}

describe('the shipped Mosquitto configuration', () => {
  it('keeps the queue far above the default 1000, with persistence, autosave and no anonymous clients', () => {
    const s = settings(SHIPPED);
    expect(Number(s.get('max_queued_messages'))).toBeGreaterThanOrEqual(100_000);
    expect(Number(s.get('max_queued_bytes'))).toBeGreaterThan(0);
    expect(s.get('persistence')).toEqual(['true']);
    expect(Number(s.get('autosave_interval'))).toBeGreaterThan(0);
    expect(s.get('allow_anonymous')).toEqual(['false']);
  });

  it('is rendered with our listener and paths and nothing else changed', () => {
    const s = settings(
      renderMosquittoConf(SHIPPED, {
        dir: '/x',
        port: 4242,
        auth: { users: [] },
        extraConf: ['sys_interval 2'],
      }),
    );
    expect(s.get('listener')).toEqual(['4242 127.0.0.1']);
    expect(s.get('password_file')).toEqual(['/x/passwd']);
    expect(s.get('acl_file')).toEqual(['/x/acl']);
    expect(s.get('persistence_location')).toEqual(['/x/']);
    expect(s.get('max_queued_messages')).toEqual(settings(SHIPPED).get('max_queued_messages'));
    expect(s.get('sys_interval')).toEqual(['1', '2']);
  });

  it('open brokers (tests with topic roots of their own) allow anonymous clients and have no ACL', () => {
    const s = settings(renderMosquittoConf(SHIPPED, { dir: '/x', port: 1, auth: 'open' }));
    expect(s.get('allow_anonymous')).toEqual(['true']);
    expect(s.has('acl_file')).toBe(false);
    expect(s.has('password_file')).toBe(false);
  });
});

describe("npm start's restart backoff", () => {
  it('starts at 1 s, doubles up to 30 s, and starts over after a healthy minute', () => {
    let b: number | undefined;
    const waits = [0, 0, 0, 0, 0, 0, 0].map(() => (b = nextBackoff(b, 500)));
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(nextBackoff(30000, 60_000)).toBe(1000);
  });
});
