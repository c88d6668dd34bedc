import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { incidentFromView } from '../../src/alerts/module.js';
import { viewFromReport } from '../../src/kernel/incident-view.js';
import { KillerLogParser } from '../../src/killers/parse.js';
import { parseProgramLine, type ProgramLine } from '../../src/killers/program-line.js';

const NOW = Date.UTC(2026, 11, 7, 12);

describe("the rules' view of a user-space killer's incident", () => {
  it('systemd-oomd: the cgroup it killed, not the one whose pressure it watched, with killer and reason', () => {
    const p = new KillerLogParser();
    const [report] = readFileSync(join(import.meta.dirname, '../fixtures/killers/systemd-oomd-syslog.txt'), 'utf8')
      .split('\n')
      .map((l) => parseProgramLine(l, NOW))
      .filter((l): l is ProgramLine => l !== null)
      .flatMap((l) => p.push(l));
    const inc = incidentFromView({ ...viewFromReport(report, { source: 'journal', hostname: 'h' }), id: 5 }, NOW);
    expect(inc).toMatchObject({
      id: 5,
      killer: 'systemd-oomd',
      cgroup: '/user.slice/user-1000.slice/user@1000.service/app.slice/ptyxis-spawn-0b869d19-….scope',
      reason: 'memory pressure on /user.slice/user-1000.slice/user@1000.service 86.80% > 50.00% for > 20s with reclaim activity',
    });
  });
});
