/**
 * The forensic report of a user-space killer's incident: the victim is linked to the sampled history by pid and time
 * like a kernel victim, and the report says who killed and why. Over the "app leak" fixture store (fixed instants).
 */
import { describe, expect, it } from 'vitest';
import { KillerLogParser } from '../../src/killers/parse.js';
import { assembleIncidentReport } from '../../src/report/assemble-incident.js';
import { renderReport } from '../../src/report/index.js';
import { fetchIncidentInput, findIncident } from '../../src/store/report-queries.js';
import { createIncidentsRepo } from '../../src/store/incidents-repo.js';
import { BOOT, HOST, KILL_MS, useLeakStore } from '../fixtures/report/build-store.js';
import { makeTempDir } from '../helpers/tmp.js';
import { programLine } from './program-lines.js';

const store = useLeakStore(makeTempDir('oomwatch-killer-report-'));

describe('incident report of an earlyoom kill', () => {
  it('links the victim to its samples and names earlyoom and its reason', () => {
    const atMs = KILL_MS - 120_000;
    const line = (text: string) => programLine('earlyoom', text, { pid: 700, wallMs: atMs, wallExact: true, bootId: BOOT, hostname: HOST });
    const p = new KillerLogParser();
    p.push(line('low memory! at or below SIGTERM limits: mem 10.00%, swap 10.00%'));
    const [report] = p.push(line('sending SIGTERM to process 300 uid 0 "leaky-worker": badness 900, VmRSS 350 MiB'));
    const { id } = createIncidentsRepo(store.db).insertReport(report, { source: 'journal', hostname: HOST, bootId: BOOT, nowMs: KILL_MS });
    const incident = findIncident(store.db, { id });
    expect(incident).toMatchObject({ killer: 'earlyoom', victim: { pid: 300, comm: 'leaky-worker', startTimeTicks: 5300 } });
    const r = assembleIncidentReport(fetchIncidentInput(store.db, { incident, atMs, windowMs: 30 * 60_000, host: HOST }), {
      timeZone: 'UTC',
    });
    expect(r.incident).toMatchObject({
      killer: 'earlyoom',
      reason: 'SIGTERM; badness 900; VmRSS 350 MiB; at or below SIGTERM limits: mem 10.00%, swap 10.00%',
    });
    expect(r.rankings.length).toBeGreaterThan(0);
    const text = renderReport(r, 'text');
    expect(text).toMatch(/killed by earlyoom: leaky-worker \(pid 300, uid 0\)/);
    expect(text).toMatch(/earlyoom's reason: SIGTERM; badness 900/);
    expect(text).not.toMatch(/killed by the kernel/);
  });
});
