#!/usr/bin/env node
// Plain JavaScript with no dependencies: runs before `npm start` / `npm test` so the README's two
// commands work on a fresh clone. Installs exactly the locked dependencies when they are missing.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  console.error(`twinfold needs Node.js 20 or newer; this is ${process.version}.`);
  process.exit(1);
}
if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  console.error('[twinfold] installing dependencies (npm ci)…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
