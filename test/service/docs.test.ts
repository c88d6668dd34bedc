/** Keeps docs/install.md true to the code: its example config is valid, and the unit it describes is the one shipped. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';

const ROOT = join(import.meta.dirname, '..', '..');
const install = readFileSync(join(ROOT, 'docs/install.md'), 'utf8');
const unit = readFileSync(join(ROOT, 'config/oomwatch.service'), 'utf8');

describe('docs/install.md', () => {
  it('shows a config that oomwatch accepts, with no warning about the sections it sets', () => {
    const m = /<!-- checked by test\/service\/docs\.test\.ts: a valid oomwatch config -->\n```yaml\n([\s\S]*?)```/.exec(install);
    expect(m).not.toBeNull();
    const loaded = parseConfigText(m![1], 'docs/install.md');
    // The default rules warn about an empty protection policy whatever the config; that is not this example's doing.
    expect(loaded.warnings.filter((w) => !w.startsWith('rules.'))).toEqual([]);
    expect(loaded.config.store.path).toBe('/var/lib/oomwatch/oomwatch.db');
    expect(Object.keys(loaded.config.channels)).toEqual(['ops-slack', 'oncall-mail']);
    expect(loaded.config.metrics).toMatchObject({ enabled: true, listen: { host: '127.0.0.1', port: 9717 } });
  });

  it('names every hardening and resource setting the shipped unit has', () => {
    const settings = unit
      .split('\n')
      .filter((l) =>
        /^(Protect|Private|Restrict|Device|NoNew|Lock|SystemCall|OOMScore|Memory|RestartPrevent|ExecReload|StateDirectory=)/.test(l),
      )
      .map((l) => l.split('=')[0]);
    const missing = [...new Set(settings)].filter((key) => !install.includes(key));
    expect(missing).toEqual([]);
  });
});
