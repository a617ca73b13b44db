/**
 * Runs Mosquitto with twinfold's shipped configuration (deploy/mosquitto/): `npm start`, the test
 * harness and the MQTT tests all go through here, so the limits they run with are the ones the
 * README tells operators to install. Only the listener, the file paths and (for `open` brokers)
 * the authentication lines are replaced.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';

/** The repository: this file runs from scripts/ (ts-jest) or dist/scripts/ (node). */
const ROOT = existsSync(join(__dirname, '..', 'package.json'))
  ? join(__dirname, '..')
  : join(__dirname, '..', '..');
const SHIPPED = join(ROOT, 'deploy', 'mosquitto');

export interface MosquittoUser {
  username: string;
  password: string;
}

export interface MosquittoSetup {
  /** Directory of the generated files and the persistence database. */
  dir: string;
  port: number;
  /**
   * `open`: anonymous clients, no ACL (the shipped limits and persistence only), for tests whose
   * topics live under a root of their own. Otherwise the shipped ACL with these users.
   */
  auth: 'open' | { users: MosquittoUser[]; extraAcl?: string[] };
  /** Lines appended to the configuration (tests: a smaller queue, to see drops reported). */
  extraConf?: string[];
}

/** Settings this module writes itself; the shipped file's values of these are dropped. */
const REPLACED = new Set([
  'listener',
  'user',
  'allow_anonymous',
  'password_file',
  'acl_file',
  'persistence_location',
]);

/** The shipped mosquitto.conf with its listener, paths and authentication replaced. */
export function renderMosquittoConf(shipped: string, setup: MosquittoSetup): string {
  const kept = shipped.split('\n').filter((line) => {
    const word = /^\s*([a-z_]+)\b/.exec(line)?.[1];
    return word === undefined || !REPLACED.has(word);
  });
  const auth =
    setup.auth === 'open'
      ? ['allow_anonymous true']
      : [
          'allow_anonymous false',
          `password_file ${join(setup.dir, 'passwd')}`,
          `acl_file ${join(setup.dir, 'acl')}`,
        ];
  return [
    `listener ${setup.port} 127.0.0.1`,
    ...kept,
    '# Set by scripts/mosquitto.ts:',
    ...auth,
    `persistence_location ${setup.dir}/`,
    // Started as root, Mosquitto would switch to the user "mosquitto", who cannot write `dir`.
    `user ${userInfo().username}`,
    ...(setup.extraConf ?? []),
    '',
  ].join('\n');
}

/** Writes the configuration (and password file and ACL) into `setup.dir`; returns the conf path. */
export function writeMosquittoFiles(setup: MosquittoSetup): string {
  mkdirSync(setup.dir, { recursive: true });
  if (setup.auth !== 'open') {
    const { users, extraAcl = [] } = setup.auth;
    execFileSync(
      'bash',
      [
        join(ROOT, 'scripts', 'mosquitto-passwd.sh'),
        join(setup.dir, 'passwd'),
        join(setup.dir, 'credentials'),
        ...users.map((u) => `${u.username}:${u.password}`),
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const acl = readFileSync(join(SHIPPED, 'acl'), 'utf8');
    writeFileSync(join(setup.dir, 'acl'), [acl, ...extraAcl, ''].join('\n'));
  }
  const conf = join(setup.dir, 'mosquitto.conf');
  writeFileSync(conf, renderMosquittoConf(readFileSync(join(SHIPPED, 'mosquitto.conf'), 'utf8'), setup));
  return conf;
}

export function tcpAccepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Waits until something listens on 127.0.0.1:`port`; throws after `timeoutMs`. */
export async function waitForListener(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await tcpAccepts('127.0.0.1', port))) {
    if (Date.now() > deadline) throw new Error(`mosquitto did not listen on port ${port} in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A random password for a generated user. */
export function randomPassword(): string {
  return randomBytes(16).toString('hex');
}
