/**
 * Fails when the repository's modules import each other in a circle, type-only
 * imports included. ESLint's import-x/no-cycle skips `import type`, but a
 * circle closed by a type is still a circle for a reader (and for the order
 * files can be understood in); the fix is to move the shared type down to a
 * module both sides can import. Run by `npm run lint` after ESLint.
 *
 * Reads every .ts file under the given folders (default: the ones tsconfig
 * includes), takes its relative `import`/`export … from` specifiers with the
 * TypeScript scanner (no type-checking, so it is fast), and reports each
 * strongly connected component of more than one file (Tarjan).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SKIP = new Set(['node_modules', 'dist', 'coverage', '.git']);

function tsFiles(dir: string, into: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) tsFiles(path, into);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) into.push(path);
  }
  return into;
}

/** file -> the repository files it imports (values, types and re-exports alike). */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, false);
    const targets = importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s));
    graph.set(file, targets.filter((t) => known.has(t)));
  }
  return graph;
}

/** The circles: strongly connected components with more than one file (or a file importing itself). */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) ?? 0);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (let w = stack.pop(); w !== undefined; w = w === v ? undefined : stack.pop()) {
      onStack.delete(w);
      component.push(w);
    }
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

if (import.meta.main) {
  const folders = process.argv.length > 2 ? process.argv.slice(2) : ['services', 'tools', 'test', 'bench'];
  const cycles = importCycles(importGraph(folders.flatMap((f) => tsFiles(resolve(ROOT, f)))));
  for (const c of cycles) process.stderr.write(`import circle: ${c.map((f) => relative(ROOT, f)).join(' ↔ ')}\n`);
  if (cycles.length > 0) process.exitCode = 1;
}
