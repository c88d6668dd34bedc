/**
 * The HTML reports opened in headless Chromium (Debian's `chromium`): they load without console errors,
 * the charts are in the rendered DOM, a hostile process name stays text, and the page paints. With
 * CI=true a missing browser is a failure; elsewhere the test is skipped with the reason.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDailyReport, buildIncidentReport, renderDailyEmail, renderReport } from '../../src/report/index.js';
import { findIncident } from '../../src/store/report-queries.js';
import { createStore } from '../../src/store/store.js';
import { makeTempDir } from '../helpers/tmp.js';
import { KILL_MS, useLeakStore } from '../fixtures/report/build-store.js';

const CHROMIUM = '/usr/bin/chromium';
const missing = existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed (apt-get install chromium)`;
const inCi = process.env.CI === 'true';
const tmp = makeTempDir('oomwatch-chromium-');
const store = useLeakStore(tmp);

function chromium(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    `--user-data-dir=${join(tmp.dir, 'profile')}`,
    '--enable-logging=stderr',
    '--v=0',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(CHROMIUM, [...base, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Page-level problems Chromium logs: script errors, console messages, refused loads (CSP). */
const pageErrors = (stderr: string) => stderr.split('\n').filter((l) => /CONSOLE|Uncaught|Refused to|Failed to load resource/.test(l));

describe('HTML reports in headless Chromium', () => {
  it.runIf(inCi && missing !== null)('CI must have Chromium', () => {
    expect.fail(`CI=true but the browser test cannot run: ${missing}`);
  });

  it.skipIf(missing !== null)(
    `the incident report renders its charts without errors${missing ? ` (skipped: ${missing})` : ''}`,
    async () => {
      const incident = findIncident(store.db, { id: store.incidentId });
      const html = renderReport(
        buildIncidentReport(createStore(store.db).reports, { incident, atMs: KILL_MS, windowMs: 30 * 60_000, host: 'x', timeZone: 'UTC' }),
        'html',
      );
      const file = join(tmp.dir, 'incident.html');
      writeFileSync(file, html);
      const dom = await chromium(['--dump-dom', `file://${file}`]);
      expect(dom.code).toBe(0);
      expect(pageErrors(dom.stderr)).toEqual([]);
      const svgs = dom.stdout.match(/<svg [^>]*role="img"/g) ?? [];
      expect(svgs.length).toBeGreaterThanOrEqual(5); // memory, PSI, cgroup, growth, risk
      const paths = [...dom.stdout.matchAll(/<path class="series" d="(M[^"]+)"/g)];
      expect(paths.length).toBeGreaterThanOrEqual(8);
      expect(dom.stdout).toContain('aria-label="Memory of the largest growers"');
      // The hostile name in the fixture did not become an element.
      expect(dom.stdout).not.toMatch(/<img/i);

      const png = join(tmp.dir, 'incident.png');
      const shot = await chromium([`--screenshot=${png}`, '--window-size=1000,2400', `file://${file}`]);
      expect(shot.code).toBe(0);
      expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
      expect(statSync(png).size).toBeGreaterThan(20_000);
    },
  );

  it.skipIf(missing !== null)(
    `the daily report (page and email) renders with the hostile name as text${missing ? ` (skipped: ${missing})` : ''}`,
    async () => {
      const model = buildDailyReport(createStore(store.db).reports, {
        fromMs: KILL_MS - 12 * 3_600_000,
        toMs: KILL_MS + 12 * 3_600_000,
        host: 'web-1',
        timeZone: 'UTC',
        topN: 5,
      });
      for (const [name, html] of [
        ['daily.html', renderReport(model, 'html')],
        ['daily-email.html', renderDailyEmail(model).html],
      ] as const) {
        const file = join(tmp.dir, name);
        writeFileSync(file, html);
        const dom = await chromium(['--dump-dom', `file://${file}`]);
        expect(dom.code).toBe(0);
        expect(pageErrors(dom.stderr)).toEqual([]);
        expect(dom.stdout).not.toMatch(/<img/i);
        expect(dom.stdout).toContain('&lt;img src=x onerror=alert(1)&gt;|*_ (pid 666)');
        if (name === 'daily-email.html') expect(dom.stdout).toContain('class="bars"');
      }
    },
  );
});
