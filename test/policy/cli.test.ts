import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { openDatabase } from '../../src/store/db.js';
import { createPolicyRepo } from '../../src/store/policy-repo.js';
import { readCapSysResource } from '../../src/policy/capability.js';
import { LiveProcesses, adjOf } from './live.js';
import { recordingIo } from './cli-io.js';
import { ProcFs } from '../../src/sample/procfs.js';

const hasCap = readCapSysResource(new ProcFs('/proc'));

describe('oomwatch protect plan|apply', () => {
  let live: LiveProcesses;
  let sshd: { pid: number; exe: string };
  let chrome: { pid: number; exe: string };
  let mysqld: { pid: number; exe: string };
  let config: string;

  beforeEach(async () => {
    live = new LiveProcesses();
    sshd = await live.start('sshd');
    chrome = await live.start('chrome');
    mysqld = await live.start('mysqld');
    config = join(live.dir, 'config.yaml');
    // Rules select by the test's own executables, so no other process on this host is touched.
    // `user: root` is resolved through the real /etc/passwd (the test runs as root).
    writeFileSync(
      config,
      [
        'policy:',
        '  rules:',
        `    - { id: sshd, match: { name: sshd, exe: ${sshd.exe}, user: root }, level: immune, why: remote access }`,
        `    - { id: databases, match: { name: mysqld, exe: ${mysqld.exe} }, oomScoreAdj: 300 }`,
        `    - { id: browsers, match: { name: chrome, exe: ${chrome.exe} }, level: prefer-kill }`,
        `    - { id: nothing, match: { exe: ${join(live.dir, 'absent')} }, level: neutral }`,
        '',
      ].join('\n'),
    );
  });
  afterEach(() => live.cleanup());

  const run = async (...args: string[]) => {
    const io = recordingIo();
    const code = await main(['node', 'oomwatch', 'protect', ...args, '--config', config], io);
    return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
  };

  it('plan --json: rule, current and target values, and the effect for each matching process', async () => {
    const r = await run('plan', '--json');
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.out);
    expect(plan.capSysResource).toBe(hasCap);
    expect(plan.unmatchedRules).toEqual(['nothing']);
    expect(plan.entries.map((e: any) => [e.process.pid, e.process.comm, e.rule.id, e.currentAdj, e.targetAdj, e.action])).toEqual([
      [sshd.pid, 'sshd', 'sshd', 0, -1000, 'set'],
      [mysqld.pid, 'mysqld', 'databases', 0, 300, 'set'],
      [chrome.pid, 'chrome', 'browsers', 0, 500, 'set'],
    ]);
    expect(plan.entries[0].effect.text).toMatch(
      /^-1000: immune: the kernel never chooses this process, however much memory it uses; it would never be chosen \(it ranks \d+(st|nd|rd|th) now\)$/,
    );
    expect(plan.entries[2].effect.text).toMatch(
      /^500: the kernel adds 50 % of RAM\+swap to this process, about [\d.]+ [KMG]iB here; it would now rank \d+(st|nd|rd|th) of \d+ instead of \d+(st|nd|rd|th)$/,
    );
    expect(plan.entries[2].children.text).toBe(
      'children forked after the write inherit 500 (copied at fork), so this rule also covers them until they change it; no existing children',
    );
    // Planning writes nothing.
    expect([adjOf(sshd.pid), adjOf(mysqld.pid), adjOf(chrome.pid)]).toEqual([0, 0, 0]);
  });

  it('plan (text): a table, the effect and children per process, and the capability note', async () => {
    const r = await run('plan');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/PID\s+PROCESS\s+RULE\s+CURRENT\s+TARGET\s+ACTION/);
    expect(r.out).toContain(`sshd (pid ${sshd.pid}), rule sshd (remote access):\n  effect:   -1000: immune`);
    expect(r.out).toContain('Rules that select no process now: nothing');
    if (hasCap === false) {
      expect(r.out).toMatch(new RegExp(`\\s${sshd.pid}\\s+sshd\\s+sshd\\s+0\\s+-1000\\s+set \\(refused without CAP_SYS_RESOURCE\\)`));
      expect(r.out).toContain(
        'oomwatch lacks CAP_SYS_RESOURCE: 1 value below 0 would be refused. Grant it: AmbientCapabilities=CAP_SYS_RESOURCE',
      );
    }
  });

  it('apply --dry-run writes nothing; apply writes, audits with reason cli, and exits 77 when something stays unprotected', async () => {
    const dry = await run('apply', '--dry-run', '--json', '--db', join(live.dir, 'db.sqlite'));
    expect(JSON.parse(dry.out).counts['would-apply']).toBe(3);
    // the dry run predicts what the missing capability would refuse
    const refusedPid = (JSON.parse(dry.out).results as { pid: number; wouldBeRefused: boolean }[])
      .filter((x) => x.wouldBeRefused)
      .map((x) => x.pid);
    expect(refusedPid).toEqual(hasCap === false ? [sshd.pid] : []);
    if (hasCap === false) {
      const dryText = await run('apply', '--dry-run', '--db', join(live.dir, 'db.sqlite'));
      expect(dryText.out).toMatch(new RegExp(`\\s${sshd.pid}\\s+sshd\\s+sshd\\s+0\\s+-1000\\s+would be refused \\(no CAP_SYS_RESOURCE\\)`));
      expect(dryText.out).toContain('oomwatch lacks CAP_SYS_RESOURCE: 1 of these writes would be refused.');
    }
    expect([adjOf(sshd.pid), adjOf(mysqld.pid), adjOf(chrome.pid)]).toEqual([0, 0, 0]);

    const r = await run('apply', '--db', join(live.dir, 'db.sqlite'));
    expect([adjOf(mysqld.pid), adjOf(chrome.pid)]).toEqual([300, 500]);
    const db = openDatabase(join(live.dir, 'db.sqlite'));
    try {
      const audit = createPolicyRepo(db)
        .listChanges()
        .map((c) => [c.pid, c.ruleId, c.fromAdj, c.toAdj, c.reason, c.outcome]);
      expect(audit).toEqual([
        [sshd.pid, 'sshd', 0, -1000, 'cli', hasCap === false ? 'denied' : 'applied'],
        [mysqld.pid, 'databases', 0, 300, 'cli', 'applied'],
        [chrome.pid, 'browsers', 0, 500, 'cli', 'applied'],
      ]);
    } finally {
      db.close();
    }
    if (hasCap === false) {
      expect(r.code).toBe(77);
      expect(adjOf(sshd.pid)).toBe(0);
      expect(r.err).toBe(
        'oomwatch: cannot protect 1 process: lowering oom_score_adj below 0 needs CAP_SYS_RESOURCE, which oomwatch lacks. ' +
          `Unprotected: sshd (pid ${sshd.pid}, rule sshd) stays at 0 instead of -1000. Grant it: AmbientCapabilities=CAP_SYS_RESOURCE in the oomwatch systemd unit ` +
          '(CapabilityBoundingSet must include it); in a container, the container runtime must grant it (docker run --cap-add SYS_RESOURCE; ' +
          'Kubernetes securityContext.capabilities.add: ["SYS_RESOURCE"]). Or let systemd set the value at start: oomwatch protect systemd UNIT --adj N.',
      );
    } else {
      expect(r.code).toBe(0);
      expect(adjOf(sshd.pid)).toBe(-1000);
    }
    expect(r.out).toMatch(/^3 selected, 0 already right, 3 to write\./);

    // Run again: what was applied is now right and is not rewritten.
    const again = await run('apply', '--json', '--db', join(live.dir, 'db.sqlite'));
    expect(JSON.parse(again.out).alreadyRight).toBe(hasCap === false ? 2 : 3);
  });
});
