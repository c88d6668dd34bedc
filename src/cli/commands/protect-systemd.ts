import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { writeDropIn } from '../../policy/dropin-write.js';
import { normalizeUnitName, parseAdjArgument, parseOomPolicyArgument, reloadInstructions } from '../../policy/systemd-dropin.js';

interface SystemdOpts {
  adj: string;
  oomPolicy?: string;
  root: string;
  dryRun?: boolean;
}

/** `oomwatch protect systemd UNIT --adj N`: a drop-in so systemd sets the value at every start of the service. */
export function registerProtectSystemd(protect: Command, io: CliIo): void {
  protect
    .command('systemd')
    .description('Write a systemd drop-in (OOMScoreAdjust=, OOMPolicy=) so the value survives service restarts.')
    .argument('<unit>', 'service unit, e.g. postgresql.service (".service" is added to a bare name)')
    .requiredOption('--adj <n>', 'oom_score_adj -1000..1000, or a level: immune, protect, prefer-keep, neutral, prefer-kill, kill-first')
    .option('--oom-policy <policy>', 'what systemd does after a kill in the unit: continue, stop or kill')
    .option('--root <dir>', 'filesystem root to write under', '/')
    .option('--dry-run', 'print the diff of what would change; write nothing')
    .action((unitArg: string, opts: SystemdOpts) => {
      const unit = normalizeUnitName(unitArg);
      const adj = parseAdjArgument(opts.adj);
      const oomPolicy = opts.oomPolicy === undefined ? null : parseOomPolicyArgument(opts.oomPolicy);
      const r = writeDropIn({ root: opts.root, unit, adj, oomPolicy, dryRun: Boolean(opts.dryRun) });
      if (!r.changed) {
        io.out(`${r.path} is already up to date; nothing to write.`);
      } else if (opts.dryRun) {
        io.out(r.diff.trimEnd());
        io.out(`Dry run: ${r.path} was not written.`);
      } else {
        io.out(r.diff.trimEnd());
        io.out(`Wrote ${r.path}.`);
      }
      if (!opts.dryRun) io.out(reloadInstructions(unit));
    });
}
