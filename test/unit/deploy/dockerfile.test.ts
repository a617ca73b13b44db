import { readRepoFile } from '../../support/dockerfile';
import { imageProblems, lintProblems } from './dockerfile-checks';

describe('Dockerfile, offline (linter + what the image must be)', () => {
  const text = readRepoFile('Dockerfile');
  const dockerignore = readRepoFile('.dockerignore');
  const edit = (from: RegExp, to: string): string => {
    expect(text).toMatch(from);
    return text.replace(from, to);
  };

  it('passes the linter and the image checks', () => {
    expect(lintProblems(text)).toEqual([]);
    expect(imageProblems(text, dockerignore)).toEqual([]);
  });

  describe('each check rejects a deliberate mistake', () => {
    it('the linter: a misspelt instruction, a bad flag, a non-numeric port', () => {
      const broken = edit(/^HEALTHCHECK --interval=10s/m, 'HEALTHCHEK --interval=10s')
        .replace('EXPOSE 8080 9464', 'EXPOSE 8080 http')
        .replace('COPY --from=build', 'COPY --form=build');
      const problems = lintProblems(broken).join('\n');
      expect(problems).toMatch(/Unknown instruction: HEALTHCHEK/);
      expect(problems).toMatch(/Invalid containerPort: http/);
      expect(problems).toMatch(/Unknown flag: form/);
    });

    it('root user, no init, shell-form CMD', () => {
      expect(imageProblems(edit(/^USER 1000:1000$/m, 'USER root'), dockerignore)).toEqual([
        'USER root: run as a numeric non-root uid (runAsNonRoot checks it)',
      ]);
      expect(imageProblems(edit(/^ENTRYPOINT .*$/m, 'ENTRYPOINT ["node"]'), dockerignore)).toEqual([
        'ENTRYPOINT ["node"] is not tini -- node',
      ]);
      expect(imageProblems(edit(/^CMD .*$/m, 'CMD node dist/api/main.js'), dockerignore)).toEqual([
        'CMD is not in exec (JSON array) form: node dist/api/main.js',
      ]);
    });

    it('a fat runtime image, a missing HEALTHCHECK, an entry point that is not built', () => {
      const broken = edit(/^FROM node:20-slim AS runtime$/m, 'FROM node:20 AS runtime')
        .replace(/^HEALTHCHECK[\s\S]*?\]\n/m, '')
        .replace('CMD ["dist/api/main.js"]', 'CMD ["dist/api/mian.js"]');
      expect(imageProblems(broken, dockerignore)).toEqual([
        'runtime stage is node:20, not node:20-slim',
        'CMD ["dist/api/mian.js"] is not a compiled entry point (dist/<file>.js of a source file)',
        'no HEALTHCHECK',
      ]);
    });

    it('a source folder the build needs but does not get', () => {
      expect(imageProblems(edit(/^COPY bridge bridge\n/m, ''), dockerignore)).toEqual([
        'bridge/ is compiled but not copied into the build stage',
      ]);
      expect(imageProblems(text, `${dockerignore}\ntopology\n`)).toEqual([
        'topology/ is compiled but excluded by .dockerignore',
      ]);
    });
  });
});
