import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate } from 'dockerfile-utils';
import { readImageSpec, REPO_ROOT } from '../../support/dockerfile';

/**
 * The Dockerfile linted by dockerfile-utils (the validator behind the VS Code Docker language
 * server: unknown instructions, bad flags and arguments, malformed JSON forms, ...; hadolint does
 * not install from the registries we reach), then read for what issue 13 asks of the image.
 */
export function lintProblems(text: string): string[] {
  return validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
}

/** The folders `npm run build` compiles (tsconfig.build.json's include). */
function buildSources(): string[] {
  const config: unknown = JSON.parse(readFileSync(join(REPO_ROOT, 'tsconfig.build.json'), 'utf8'));
  const include = (config as { include?: unknown }).include;
  return Array.isArray(include) ? include.map(String) : [];
}

export function imageProblems(text: string, dockerignore: string): string[] {
  let spec;
  try {
    spec = readImageSpec(text);
  } catch (err) {
    return [err instanceof Error ? err.message : String(err)];
  }
  const problems: string[] = [];
  const stageNames = spec.stages.map((s) => s.name);
  if (spec.stages.length < 2) problems.push('not a multi-stage build');
  if (!/^node:20(\.\d+)*-slim$/.test(spec.stages.at(-1)?.image ?? ''))
    problems.push(`runtime stage is ${spec.stages.at(-1)?.image}, not node:20-slim`);
  for (const from of spec.copiedFrom)
    if (!stageNames.slice(0, -1).includes(from)) problems.push(`COPY --from=${from} names no earlier stage`);
  const uid = spec.user?.split(':')[0];
  if (!uid || !/^\d+$/.test(uid) || uid === '0')
    problems.push(`USER ${spec.user ?? '(none)'}: run as a numeric non-root uid (runAsNonRoot checks it)`);
  if (!spec.entrypoint[0]?.endsWith('/tini') || spec.entrypoint[1] !== '--' || spec.entrypoint[2] !== 'node')
    problems.push(`ENTRYPOINT ${JSON.stringify(spec.entrypoint)} is not tini -- node`);
  const script = spec.cmd[0] ?? '';
  const source = script.replace(/^dist\//, '').replace(/\.js$/, '.ts');
  if (spec.cmd.length !== 1 || !script.startsWith('dist/') || !existsSync(join(REPO_ROOT, source)))
    problems.push(
      `CMD ${JSON.stringify(spec.cmd)} is not a compiled entry point (dist/<file>.js of a source file)`,
    );
  if (!spec.healthcheck) problems.push('no HEALTHCHECK');
  for (const port of [spec.env.HTTP_PORT, spec.env.BRIDGE_HTTP_PORT])
    if (!port || !spec.exposed.includes(port)) problems.push(`port ${port ?? '(unset)'} is not exposed`);
  if (!spec.env.STATE_DIR) problems.push('STATE_DIR is not set');
  const ignored = new Set(dockerignore.split('\n').map((l) => l.trim()));
  for (const dir of buildSources()) {
    if (!spec.contextSources.includes(dir))
      problems.push(`${dir}/ is compiled but not copied into the build stage`);
    if (ignored.has(dir)) problems.push(`${dir}/ is compiled but excluded by .dockerignore`);
  }
  return problems;
}
