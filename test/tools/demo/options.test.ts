import { describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../../services/sensor/scenarios/catalogue.ts';
import { demoUsage, parseDemoArgs } from '../../../tools/demo/options.ts';

describe('npm start options', () => {
  it('list every scenario the sensor defines, with what it plays, in --help', () => {
    const usage = demoUsage();
    for (const [name, scenario] of Object.entries(SCENARIOS)) expect(usage).toMatch(new RegExp(`^  ${name} +${scenario.description.replace(/[()+.*]/g, '\\$&')}$`, 'm'));
    expect(parseDemoArgs(['--help']).help).toBe(true);
  });

  it('play the demo scenario by default and any defined scenario by name', () => {
    expect(parseDemoArgs([]).scenario).toBe('demo');
    for (const name of Object.keys(SCENARIOS)) expect(parseDemoArgs(['--scenario', name]).scenario).toBe(name);
  });

  it('refuse an unknown scenario or option, naming the choices', () => {
    expect(() => parseDemoArgs(['--scenario', 'nope'])).toThrow(/unknown scenario "nope"[\s\S]*worm/);
    expect(() => parseDemoArgs(['--bogus'])).toThrow();
  });
});
