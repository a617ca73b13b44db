/**
 * Where the time goes in a V8 CPU profile (`node --cpu-prof`, e.g. from `npm run bench --
 * --profile fold`): self time grouped by package or twinfold folder, and the top functions.
 *
 *   node dist/bench/profile-summary.js bench/results/profiles/<run>/<file>.cpuprofile [top]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The package (node_modules/NAME), the twinfold folder (dist/NAME), Node internals or a V8 bucket. */
export function groupOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const own = /\/dist\/([^/]+)\//.exec(url);
  if (own) return `twinfold ${own[1]}/`;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

/** Self milliseconds per group and per function, largest first. */
export function summarizeProfile(profile: CpuProfile): {
  totalMs: number;
  groups: [string, number][];
  functions: [string, number][];
} {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const groups = new Map<string, number>();
  const functions = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(id);
    if (!node || ms <= 0) return;
    totalMs += ms;
    const { functionName, url, lineNumber } = node.callFrame;
    const group = groupOf(url, functionName);
    groups.set(group, (groups.get(group) ?? 0) + ms);
    const name = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|dist)\//, '')}:${lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
  });
  const sorted = (m: Map<string, number>): [string, number][] => [...m].sort((a, b) => b[1] - a[1]);
  return { totalMs, groups: sorted(groups), functions: sorted(functions) };
}

function main(): void {
  const [file, topArg] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node dist/bench/profile-summary.js FILE.cpuprofile [top]\n');
    process.exit(2);
  }
  const top = Number(topArg ?? 25);
  const { totalMs, groups, functions } = summarizeProfile(
    JSON.parse(readFileSync(file, 'utf8')) as CpuProfile,
  );
  const pct = (ms: number): string => `${((100 * ms) / totalMs).toFixed(1).padStart(5)}%`;
  process.stdout.write(
    `${file}: ${(totalMs / 1000).toFixed(1)} s sampled\n\nby package / folder (self time):\n`,
  );
  for (const [g, ms] of groups.slice(0, top)) process.stdout.write(`  ${pct(ms)}  ${g}\n`);
  process.stdout.write('\ntop functions (self time):\n');
  for (const [f, ms] of functions.slice(0, top)) process.stdout.write(`  ${pct(ms)}  ${f}\n`);
}

if (require.main === module) main();
