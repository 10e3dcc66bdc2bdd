import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Finds the repository's `schemas/` folder by walking up from this module, so
 * the same code works from the sources (`services/common/avro`) and from the
 * compiled output (`dist/services/common/avro`) and inside a container image.
 */
function findSchemaDir(): string {
  let dir = import.meta.dirname;
  for (;;) {
    const candidate = join(dir, 'schemas');
    if (existsSync(join(candidate, 'alert.avsc'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`schemas/ not found above ${import.meta.dirname}`);
    dir = parent;
  }
}

let schemaDir: string | undefined;

/** Parses `schemas/<name>.avsc` and returns the JSON schema. */
export function readSchemaFile(name: string): unknown {
  schemaDir ??= findSchemaDir();
  return JSON.parse(readFileSync(join(schemaDir, `${name}.avsc`), 'utf8')) as unknown;
}
