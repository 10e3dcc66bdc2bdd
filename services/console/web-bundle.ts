/**
 * The web UI's files: the TypeScript front end in web/ bundled by esbuild
 * (with uPlot and its stylesheet) once, in memory, the first time they are
 * asked for. Nothing is written to disk, so the read-only container image
 * needs no build step of its own for the console.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';

export interface WebAsset {
  readonly type: string;
  readonly body: string;
}

const WEB_DIR = join(import.meta.dirname, 'web');

async function bundle(): Promise<Map<string, WebAsset>> {
  const result = await build({
    entryPoints: [join(WEB_DIR, 'main.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    outdir: '/',
    logLevel: 'silent',
  });
  const assets = new Map<string, WebAsset>();
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  if (js !== undefined) assets.set('/app.js', { type: 'text/javascript; charset=utf-8', body: js.text });
  // uPlot's stylesheet first, the console's own after it.
  const css = await Promise.all([readFile(createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css'), 'utf8'), readFile(join(WEB_DIR, 'style.css'), 'utf8')]);
  assets.set('/app.css', { type: 'text/css; charset=utf-8', body: css.join('\n') });
  assets.set('/', { type: 'text/html; charset=utf-8', body: await readFile(join(WEB_DIR, 'index.html'), 'utf8') });
  return assets;
}

/** Bundles on first use; later calls share the same result. */
export class WebAssets {
  #assets: Promise<Map<string, WebAsset>> | undefined;

  get(path: string): Promise<WebAsset | undefined> {
    this.#assets ??= bundle();
    return this.#assets.then((a) => a.get(path));
  }
}
