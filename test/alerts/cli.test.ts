import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { validateConfig } from '../../src/config/validate.js';
import { silentLogger } from '../../src/log.js';
import { createAlertEngine } from '../../src/alerts/engine.js';
import { openDatabase } from '../../src/store/db.js';
import { makeTempDir } from '../helpers/tmp.js';
import { HOST, proc, snapshotAt } from '../rules/world.js';
import { createStore } from '../../src/store/store.js';

function fakeIo(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    env: { USER: 'alice' },
    isTty: false,
    log: silentLogger(),
    stdout,
    stderr,
  };
}

let tmp: ReturnType<typeof makeTempDir>;
let dbPath: string;
let configPath: string;
const CONFIG = `
channels:
  ops: { type: console }
alerting: { groupWait: 0s }
rules:
  replaceDefaults: true
  list:
    - { id: risk, kind: process-risk, above: 600, domain: host }
    - { id: mem, kind: host-memory-available, belowPercent: 10, for: 5m }
`;

beforeEach(() => {
  tmp = makeTempDir('oomwatch-alerts-cli-');
  dbPath = join(tmp.dir, 'oomwatch.db');
  configPath = join(tmp.dir, 'config.yaml');
  writeFileSync(configPath, CONFIG);
  const v = validateConfig({
    channels: { ops: { type: 'console' } },
    alerting: { groupWait: '0s' },
    rules: {
      replaceDefaults: true,
      list: [
        { id: 'risk', kind: 'process-risk', above: 600, domain: 'host' },
        { id: 'mem', kind: 'host-memory-available', belowPercent: 10, for: '5m' },
      ],
    },
  });
  if (!v.ok) throw new Error(v.errors.join('\n'));
  const db = openDatabase(dbPath);
  const engine = createAlertEngine({ store: createStore(db), log: silentLogger(), config: v.config, hostname: HOST });
  const now = Date.now();
  const hostile = proc({ pid: 812, comm: '\u001b[31m<!channel>', risk: 700 });
  engine.onTick(
    {
      snapshot: snapshotAt(now, {
        processes: [hostile],
        memory: { memTotalBytes: 16 * 2 ** 30, memAvailableBytes: 2 ** 30, memFreeBytes: 0, swapTotalBytes: 0, swapFreeBytes: 0 },
      }),
      incidents: [],
      health: { samplerStalled: false, brokenChannels: [] },
      dataFresh: true,
      isProtected: () => false,
    },
    now,
  );
  db.close();
});
afterEach(() => tmp.cleanup());

const run = async (...args: string[]) => {
  const io = fakeIo();
  const code = await main(['node', 'oomwatch', ...args, '--config', configPath, '--db', dbPath], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
};

describe('oomwatch alerts / silence', () => {
  it('alerts lists firing and pending alerts and channel health, with hostile names neutralised', async () => {
    const r = await run('alerts');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Firing \(1\)/);
    expect(r.out).toContain('warning   risk');
    expect(r.out).toContain('�[31m<!channel> (pid 812) risk 700 ‰ ≥ 600 ‰');
    expect(r.out).not.toContain('\u001b');
    expect(r.out).toMatch(/Pending \(1\)\n.*\n.*mem/);
    expect(r.out).toMatch(/Channels\nCHANNEL\s+STATE\s+QUEUED.*\nops\s+ok\s+1\s+never/);
  });

  it('silence add / list / expire, with alerts --json showing the silence', async () => {
    const add = await run(
      'silence',
      'add',
      '--match',
      'alertname=risk',
      '--match',
      'comm=~.*channel.*',
      '--for',
      '1h',
      '--comment',
      'load test',
    );
    expect(add.code).toBe(0);
    expect(add.out).toMatch(/^Silence #1 added: alertname=risk comm=~\.\*channel\.\* until \S+ \(1h\)\.\nIt matches 1 current alert;/);
    const json = JSON.parse((await run('alerts', '--json')).out);
    expect(json.firing).toHaveLength(1);
    expect(json.pending).toHaveLength(1);
    expect(json.silences).toMatchObject([
      {
        id: 1,
        comment: 'load test',
        createdBy: 'alice',
        matchers: [
          { name: 'alertname', op: '=', value: 'risk' },
          { name: 'comm', op: '=~', value: '.*channel.*' },
        ],
      },
    ]);
    expect(json.channels).toMatchObject([{ channel: 'ops', state: 'ok', pending: 1 }]);
    expect((await run('silence', 'list')).out).toMatch(/^ID\s+STATE\s+ENDS.*\n\s*1\s+active\s+/);
    expect((await run('silence', 'expire', '1')).out).toBe(
      "Silence #1 expired: matching alerts are sent again from the agent's next evaluation.",
    );
    expect((await run('silence', 'expire', '1')).out).toBe('Silence #1 had already ended; nothing to do.');
    expect((await run('silence', 'list')).out).toBe('No active silences. (oomwatch silence list --all shows ended ones.)');
    expect((await run('silence', 'list', '--all')).out).toMatch(/1\s+expired/);
  });

  it('bad input gets a message naming the fix and a usage exit code', async () => {
    const noMatch = await run('silence', 'add', '--comment', 'x');
    expect(noMatch.code).toBe(64);
    expect(noMatch.err).toMatch(/give at least one --match NAME=VALUE/);
    const bad = await run('silence', 'add', '--match', 'comm', '--match', 'colour=red', '--comment', 'x');
    expect(bad.code).toBe(64);
    expect(bad.err).toContain('cannot read the matcher "comm": expected NAME=VALUE');
    expect(bad.err).toContain('alerts have no label "colour", so this would never match. Use one of: alertname, host');
    for (const everything of [['alertname!=nothing'], ['bogus!=x'], ['comm=~.*'], ['comm!~postgres', 'host!=db9']]) {
      const all = await run('silence', 'add', ...everything.flatMap((m) => ['--match', m]), '--comment', 'x');
      expect(all.code, everything.join(' ')).toBe(64);
      expect(all.err).toMatch(/would mute everything .* Add a positive matcher/);
    }
    const dur = await run('silence', 'add', '--match', 'host=db1', '--for', 'soon', '--comment', 'x');
    expect(dur.err).toMatch(/--for: expected a duration between 1s and 365d/);
    const missing = await run('silence', 'expire', '42');
    expect(missing.code).toBe(66);
    expect(missing.err).toContain('There is no silence #42. List them with: oomwatch silence list --all');
    const noDb = fakeIo();
    expect(await main(['node', 'oomwatch', 'alerts', '--config', configPath, '--db', join(tmp.dir, 'none.db')], noDb)).toBe(66);
    expect(noDb.stderr.join('')).toMatch(/No database at .*none\.db\. Run the agent \(oomwatch run\) first/);
  });
});
