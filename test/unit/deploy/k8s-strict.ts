import { join } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from '../../support/dockerfile';
import type { KindSchema } from './k8s-schemas';

const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  skipLibCheck: true,
  types: [],
};

/**
 * Unknown fields, the one thing the compiled schemas let through (the Kubernetes API ignores them
 * too, so a misspelt `readinesProbe` would silently mean "no probe"): each object becomes an object
 * literal typed with its kind's interface, and TypeScript's excess-property check names every
 * field the API does not have, at any depth (as `kubectl apply --validate=strict` would).
 */
export function unknownFieldProblems(
  objects: { schema: KindSchema; object: unknown; name: string }[],
): string[] {
  const file = join(REPO_ROOT, '.cache', 'k8s-strict-check.ts');
  const lines: string[] = [];
  objects.forEach(({ schema, object }, i) => {
    const kind = schema.key.split('/').at(-1)!;
    lines.push(`import type { I${kind} as T${i} } from '${schema.module}';`);
    lines.push(`export const o${i}: T${i} = ${JSON.stringify(object)};`);
  });
  const source = lines.join('\n');
  const host = ts.createCompilerHost(OPTIONS);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) =>
    name === file ? ts.createSourceFile(name, source, version) : getSourceFile(name, version, ...rest);
  host.fileExists = (
    (exists) => (name: string) =>
      name === file || exists(name)
  )(host.fileExists.bind(host));
  const program = ts.createProgram([file], OPTIONS, host);
  return ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => {
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
    const who = objects[Math.floor(line / 2)]?.name ?? '?';
    return `${who}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}
