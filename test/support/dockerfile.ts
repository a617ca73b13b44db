import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Copy, DockerfileParser, Env, type Instruction } from 'dockerfile-ast';

export const REPO_ROOT = join(__dirname, '..', '..');

/** What the Dockerfile says about its build stages and the image it produces (the last stage). */
export interface ImageSpec {
  stages: { image: string; name: string | undefined }[];
  /** `COPY --from=<stage>` sources, in order. */
  copiedFrom: string[];
  /** First arguments of every plain COPY in the build stages (the sources taken from the context). */
  contextSources: string[];
  user: string | undefined;
  env: Record<string, string>;
  workdir: string | undefined;
  entrypoint: string[];
  cmd: string[];
  healthcheck: string[] | undefined;
  exposed: string[];
}

/** An exec-form (JSON array) argument list; shell form is refused so signals reach node directly. */
function execForm(what: string, content: string | undefined | null): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content ?? '');
  } catch {
    throw new Error(`${what} is not in exec (JSON array) form: ${content ?? '(empty)'}`);
  }
  if (!Array.isArray(parsed) || !parsed.every((a): a is string => typeof a === 'string'))
    throw new Error(`${what} must be a JSON array of strings`);
  return parsed;
}

function lastOf(instructions: Instruction[], keyword: string): Instruction | undefined {
  return instructions.filter((i) => i.getKeyword() === keyword).at(-1);
}

/** Reads the instructions of a Dockerfile's text (throws on a malformed ENTRYPOINT/CMD/HEALTHCHECK). */
export function readImageSpec(text: string): ImageSpec {
  const dockerfile = DockerfileParser.parse(text);
  const instructions = dockerfile.getInstructions();
  const froms = dockerfile.getFROMs();
  const lastFrom = froms.at(-1);
  const runtime = lastFrom
    ? instructions.filter((i) => i.getRange().start.line > lastFrom.getRange().start.line)
    : [];
  const copiedFrom: string[] = [];
  const contextSources: string[] = [];
  for (const copy of instructions) {
    if (!(copy instanceof Copy)) continue;
    const from = copy.getFromFlag()?.getValue();
    if (from) copiedFrom.push(from);
    else
      contextSources.push(
        ...copy
          .getArguments()
          .map((a) => a.getValue())
          .slice(0, -1),
      );
  }
  const env: Record<string, string> = {};
  for (const i of runtime) {
    if (i instanceof Env) for (const p of i.getProperties()) env[p.getName()] = p.getValue() ?? '';
  }
  const health = lastOf(runtime, 'HEALTHCHECK');
  const healthCmd = health ? /^CMD\s+(\[[\s\S]*\])\s*$/.exec(health.getArgumentsContent() ?? '') : null;
  if (health && !healthCmd) throw new Error('HEALTHCHECK must be CMD in exec (JSON array) form');
  return {
    stages: froms.map((f) => ({ image: f.getImage() ?? '', name: f.getBuildStage() ?? undefined })),
    copiedFrom,
    contextSources,
    user: lastOf(runtime, 'USER')?.getArgumentsContent() ?? undefined,
    env,
    workdir: lastOf(runtime, 'WORKDIR')?.getArgumentsContent() ?? undefined,
    entrypoint: execForm('ENTRYPOINT', lastOf(runtime, 'ENTRYPOINT')?.getArgumentsContent()),
    cmd: execForm('CMD', lastOf(runtime, 'CMD')?.getArgumentsContent()),
    healthcheck: healthCmd ? execForm('HEALTHCHECK', healthCmd[1]) : undefined,
    exposed: runtime
      .filter((i) => i.getKeyword() === 'EXPOSE')
      .flatMap((i) => i.getArguments().map((a) => a.getValue())),
  };
}

export function readRepoFile(path: string): string {
  return readFileSync(join(REPO_ROOT, path), 'utf8');
}
