/**
 * The installed earlyoom (Debian package) in --dryrun mode, aimed with --prefer at a process of this test: its real
 * output parses, and a dry run is no kill. Nothing is killed: --dryrun sends no signal, the test ends both processes
 * it started. CI (CI=true) must run it: scripts/ci-services.sh installs earlyoom.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { KillerLogParser } from '../../src/killers/parse.js';
import { programLine } from './program-lines.js';

const installed = spawnSync('earlyoom', ['-v'], { encoding: 'utf8' }).status === 0;
const inCi = process.env.CI === 'true';
const started: ChildProcess[] = [];
afterEach(async () => {
  for (const c of started.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await once(c, 'exit');
    }
  }
});

/** earlyoom's output up to its first dry-run "kill" (and the line saying it sent nothing). */
async function dryRunOutput(targetComm: string): Promise<string[]> {
  // Thresholds it always meets (99 % of RAM, 100 % of swap): it "kills" at once, and --dryrun makes that a no-op.
  // Its banner goes to stdout, its warnings to stderr; the journal holds both, in order: so does one pipe here.
  const eo = spawn('sh', ['-c', `exec earlyoom --dryrun -m 99,99 -s 100,100 -r 0 --prefer '^${targetComm}$' 2>&1`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  started.push(eo);
  const lines: string[] = [];
  for await (const line of createInterface({ input: eo.stdout! })) {
    lines.push(line);
    if (line.startsWith('dryrun, not actually sending')) break;
  }
  eo.kill('SIGTERM');
  return lines;
}

describe('a real earlyoom, dry run', () => {
  it.runIf(inCi && !installed)('CI must have earlyoom installed', () => {
    expect.fail('CI=true but earlyoom is not installed: run scripts/ci-services.sh');
  });

  it.skipIf(!installed)(
    `its lines parse: the victim it chose, its badness and limits; a dry run records no kill${installed ? '' : ' (skipped: earlyoom is not installed)'}`,
    async () => {
      const comm = 'oomwatch-eo-t';
      const target = spawn(
        'python3',
        ['-c', `import ctypes, time\nctypes.CDLL(None).prctl(15, b'${comm}', 0, 0, 0)\nprint('ready', flush=True)\ntime.sleep(600)`],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      started.push(target);
      await new Promise<void>((resolve) => target.stdout!.on('data', (d) => String(d).includes('ready') && resolve()));
      const lines = await dryRunOutput(comm);
      const asLine = (text: string) => programLine('earlyoom', text);
      // As logged: a dry run.
      const asLogged = new KillerLogParser();
      expect(lines.flatMap((t) => asLogged.push(asLine(t)))).toEqual([]);
      // The same lines without the dry-run notes are what a real kill logs.
      const parser = new KillerLogParser();
      const reports = lines.filter((t) => !t.startsWith('dryrun')).flatMap((t) => parser.push(asLine(t)));
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatchObject({ killer: 'earlyoom', flags: [], victim: { pid: target.pid, comm, uid: process.getuid!() } });
      expect(reports[0].reason).toMatch(
        /^SIG(TERM|KILL); (badness|oom_score) -?\d+; VmRSS \d+ MiB; at or below SIG(TERM|KILL) limits: mem 99\.00%, swap 100\.00%; mem avail: /,
      );
      expect(target.exitCode).toBeNull(); // still alive: nothing was killed
    },
  );
});
