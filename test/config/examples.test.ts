import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadConfigFile, parseConfigText } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { packageRoot } from '../../src/util/package-root.js';
import { validateConfig } from '../../src/config/validate.js';

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

describe('values that would break a feature', () => {
  it('refuses negative durations and sizes, zero timeouts and resend intervals, a repeat interval under a minute, and a recipient that is no address', () => {
    const r = validateConfig({
      alerting: { repeatInterval: '0s', groupInterval: -5 },
      channels: {
        hook: { type: 'webhook', url: 'http://127.0.0.1:9/x', timeout: 0 },
        am: { type: 'alertmanager', url: 'http://127.0.0.1:9093/', resendInterval: 0 },
        mail: { type: 'email', host: 'smtp.example.com', from: 'oomwatch@example.com', to: ['nobody'] },
      },
      rules: [{ id: 'leak', kind: 'rss-growth', bytesPerSecond: '1MiB', over: '10m', minRssBytes: -1, for: -60 }],
    });
    expect(r.ok).toBe(false);
    const text = r.ok ? '' : r.errors.join('\n');
    for (const expected of [
      /alerting\.repeatInterval: must be at least 60s, got "0s"/,
      /alerting\.groupInterval: a duration cannot be negative, got -5/,
      /channels\.hook\.timeout: must be at least 100ms, got 0/,
      /channels\.am\.resendInterval: must be at least 1s, got 0/,
      /channels\.mail\.to\.0: expected an email address/,
      /rules\.0\.minRssBytes: .*a size cannot be negative, got -1/,
      /rules\.0\.for: .*a duration cannot be negative, got -60/,
    ])
      expect(text).toMatch(expected);
    const ok = validateConfig({
      channels: {
        mail: {
          type: 'email',
          host: 'smtp.example.com',
          from: 'oomwatch@example.com',
          to: ['On call <oncall@example.com>', 'dba@example.com'],
        },
      },
    });
    expect(ok.ok).toBe(true);
  });
});
