import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';

/** `oomwatch run` with a config whose only fault is a channel: it must stop before anything starts. */
describe('run checks the whole config, channels included, before it opens the database', () => {
  let t: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    t = makeTempDir();
  });
  afterEach(() => t.cleanup());

  it.each([
    [
      'a Slack webhookUrl that is not a URL',
      'channels:\n  team: { type: slack, webhookUrl: "not a url" }\n',
      / {2}- channels\.team\.webhookUrl: the value \(from inline; not shown, it is a secret\) is not an http\(s\) URL\./,
    ],
    [
      'a webhook url read from a missing file',
      'channels:\n  hook: { type: webhook, url: { file: /nonexistent/oomwatch-hook-url } }\n',
      / {2}- channels\.hook\.url: the secret file \/nonexistent\/oomwatch-hook-url does not exist\./,
    ],
  ])('%s: exit 78, the message names the file and the key, no database file', async (_name, yaml, problem) => {
    const config = join(t.dir, 'config.yaml');
    writeFileSync(config, yaml);
    const db = join(t.dir, 'data', 'oomwatch.db');
    const r = await runCli(['run', '--config', config, '--db', db], { timeoutMs: 20_000 });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(new RegExp(`^oomwatch: Invalid configuration in ${config.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\n`));
    expect(r.stderr).toMatch(problem);
    expect(r.stderr).toMatch(/Fix the keys named above \(config\/oomwatch\.example\.yaml documents every key\) and start again\.\n$/);
    expect(existsSync(db)).toBe(false);
    expect(readdirSync(t.dir)).toEqual(['config.yaml']);
  });
});
