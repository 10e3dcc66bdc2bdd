import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OVERLAYS, render, renderedPath } from '../../tools/deploy/render.ts';
import { hasKubectl } from './manifests.ts';

describe.skipIf(!hasKubectl())('rendered manifests', () => {
  it.each(OVERLAYS)('deploy/k8s/rendered/%s.yaml matches what the overlay renders (run node tools/deploy/render.ts)', (overlay) => {
    const path = renderedPath(overlay);
    expect(existsSync(path)).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(render(overlay));
  });
});
