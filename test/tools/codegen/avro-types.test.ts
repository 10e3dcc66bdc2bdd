import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate } from '../../../tools/codegen/avro-types.ts';

describe('generated Avro types', () => {
  it('match schemas/*.avsc (run `node tools/codegen/avro-types.ts` after editing a schema)', () => {
    const current = readFileSync(new URL('../../../services/common/avro/generated-types.ts', import.meta.url), 'utf8');
    expect(current).toBe(generate());
  });
});
