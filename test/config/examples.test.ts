import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadConfigFile, parseConfigText } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { packageRoot } from '../../src/util/package-root.js';

const CONFIG_DIR = join(packageRoot(), 'config');

describe('shipped example configs', () => {
  const examples = readdirSync(CONFIG_DIR).filter((f) => f.endsWith('.yaml'));
  it('include the main example', () => {
    expect(examples).toContain('oomwatch.example.yaml');
  });
  it.each(examples)('%s loads without errors or warnings', (name) => {
    const loaded = loadConfigFile(join(CONFIG_DIR, name));
    expect(loaded.warnings).toEqual([]);
  });
  it('the main example documents every top-level section', () => {
    const { config } = loadConfigFile(join(CONFIG_DIR, 'oomwatch.example.yaml'));
    const text = parseConfigText('{}', 'x').config;
    expect(Object.keys(config).sort()).toEqual(Object.keys(text).sort());
  });
});

describe('config loading', () => {
  it('uses the embedded default when no file is named and none is installed', () => {
    const l = loadConfig({ env: {}, defaultPath: '/nonexistent/config.yaml' });
    expect(l.source).toBe('embedded default');
    expect(l.config.sample.interval).toBe(10_000);
    expect(l.config.store.retention).toBe(14 * 86_400_000);
    expect(Object.keys(l.config.channels)).toEqual(['console']);
    expect(l.config.rules.length).toBeGreaterThan(0);
  });
  it('names the key, the value and the fix for each problem at once', () => {
    try {
      parseConfigText('sample:\n  interval: often\n  bogus: 1\nstore:\n  retention: 10m\n', 'test.yaml');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      expect(msg).toContain('Invalid configuration in test.yaml');
      expect(msg).toContain('sample.bogus: unknown key');
      expect(msg).toContain('sample.interval: expected a duration such as 10s, 5m, 2h or 14d, got "often"');
    }
  });
  it('runs the cross-checks after the schema', () => {
    expect(() => parseConfigText('store:\n  retention: 10m\n', 't')).toThrow(/store\.retention: keep at least 1h/);
    expect(() => parseConfigText('sample:\n  interval: 10m\n  keyframeEvery: 1m\n', 't')).toThrow(/sample\.keyframeEvery/);
  });
  it('refuses a top level that is not a mapping', () => {
    expect(() => parseConfigText('- a\n- b\n', 't')).toThrow(/top level must be a mapping/);
  });
});
