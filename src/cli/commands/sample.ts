import type { Command } from 'commander';
import { createSampler } from '../../sample/host.js';
import { UsageError } from '../../errors.js';
import { loadCommandConfig, printJson } from '../common.js';
import type { CliIo } from '../io.js';
import { snapshotToJson } from '../render/snapshot-json.js';
import { renderDomainTable, renderHostLine, topRows } from '../render/top.js';

export function registerSample(program: Command, io: CliIo): void {
  program
    .command('sample')
    .description('Take one snapshot of every process and memory cgroup and print it (nothing is stored)')
    .option('--once', 'take one snapshot and exit (the only mode; the agent samples continuously: oomwatch run)')
    .option('--json', 'print the documented JSON document (docs/json.md)')
    .option('--config <file>', 'configuration file')
    .option('--proc-root <dir>', 'procfs root (a fixture tree for tests)')
    .option('--cgroup-root <dir>', 'cgroup filesystem root')
    .action((opts: { once?: boolean; json?: boolean; config?: string; procRoot?: string; cgroupRoot?: string }) => {
      if (opts.once === false) throw new UsageError('sample takes one snapshot; use oomwatch run to sample continuously.');
      const { config } = loadCommandConfig(io, opts.config);
      const { sampler } = createSampler({
        procRoot: opts.procRoot ?? config.sample.procRoot,
        cgroupRoot: opts.cgroupRoot ?? config.sample.cgroupRoot,
        refreshEveryMs: config.sample.keyframeEvery,
        hostname: config.agent.hostname,
      });
      const snap = sampler.takeSnapshot(Date.now());
      if (opts.json) return printJson(io, snapshotToJson(snap));
      const lines = [
        renderHostLine(snap),
        `${snap.counts.sampled} processes sampled (${snap.counts.gone} exited while read, ${snap.counts.denied} denied, ${snap.counts.kernelThreads} kernel threads); oom_score scale: ${snap.scale}`,
      ];
      for (const d of snap.domains) lines.push('', renderDomainTable(snap, d, topRows(snap, d, null, 10)));
      io.out(lines.join('\n'));
    });
}
