import type { Command } from 'commander';
import { NotFoundError, UsageError } from '../../errors.js';
import { renderIncidentDetail } from '../../kernel/render-incident.js';
import { formatBytes, formatIso } from '../../util/format.js';
import { renderTable } from '../../util/table.js';
import { printJson } from '../common.js';
import type { CliIo } from '../io.js';
import { incidentToJson, INCIDENT_SCHEMA_ID, type IncidentDetailJson } from '../json/incident.js';
import { openIncidentsStore } from './incidents.js';

export function registerIncident(program: Command, io: CliIo): void {
  program
    .command('incident')
    .description("One OOM kill in detail: the kernel's report, the victim's sampled history, and who else was at risk")
    .argument('<id>', 'incident id (see oomwatch incidents)')
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .option('--db <path>', 'database')
    .action((idText: string, opts: { json?: boolean; config?: string; db?: string }) => {
      if (!/^\d+$/.test(idText))
        throw new UsageError(`Expected an incident id (a number, see oomwatch incidents), got ${JSON.stringify(idText)}.`);
      const { store, dbPath, repo } = openIncidentsStore(io, opts);
      try {
        const inc = repo.get(Number(idText));
        if (!inc) throw new NotFoundError(`No incident ${idText} in ${dbPath}. List them with oomwatch incidents --since 30d.`);
        const tasks = repo.tasks(inc.id!);
        const samples =
          inc.victim?.processId != null && inc.timeMs !== null ? store.history.lastSamples(inc.victim.processId, inc.timeMs) : [];
        const ranked =
          inc.bootId && inc.timeMs !== null
            ? store.history.rankedCandidates({
                bootId: inc.bootId,
                atMs: inc.timeMs,
                cgroup: inc.constraint === 'memcg' ? inc.oomMemcg : null,
              })
            : null;
        if (opts.json) {
          const doc: IncidentDetailJson = {
            schema: INCIDENT_SCHEMA_ID,
            incident: incidentToJson(inc),
            tasks,
            victimSamples: samples,
            rankedBeforeKill: ranked,
          };
          return printJson(io, doc);
        }
        const extra: string[] = [];
        if (samples.length)
          extra.push(
            'victim samples before the kill (newest first):\n' +
              renderTable(samples, [
                { header: 'AT', get: (s) => formatIso(s.tsMs) },
                { header: 'RSS', get: (s) => formatBytes(s.rssBytes), align: 'right' },
                { header: 'SWAP', get: (s) => formatBytes(s.swapBytes), align: 'right' },
                { header: 'SCORE', get: (s) => s.oomScore, align: 'right' },
                { header: 'ADJ', get: (s) => s.oomScoreAdj, align: 'right' },
              ]),
          );
        if (ranked && ranked.candidates.length)
          extra.push(
            `ranked candidates of the ${ranked.domain === 'host' ? 'host' : `cgroup ${ranked.cgroup}`} domain at ${formatIso(ranked.tickTsMs)}:\n` +
              renderTable(ranked.candidates, [
                { header: 'PID', get: (c) => c.pid, align: 'right' },
                { header: 'COMM', get: (c) => c.comm, max: 24 },
                { header: 'RISK‰', get: (c) => (c.risk === null ? null : Math.round(c.risk)), align: 'right' },
                { header: 'RSS', get: (c) => formatBytes(c.rssBytes), align: 'right' },
                { header: 'ADJ', get: (c) => c.oomScoreAdj, align: 'right' },
                { header: 'VICTIM', get: (c) => (c.processId === inc.victim?.processId ? '←' : '') },
              ]),
          );
        io.out(renderIncidentDetail(inc, tasks, extra));
      } finally {
        store.close();
      }
    });
}
