import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { loadCommandConfig, printJson, resolveDbPath } from '../common.js';
import { openStore } from '../../store/store.js';
import { compilePolicy, type CompiledPolicy } from '../../policy/compile.js';
import { planAdjustments, unmatchedRules, unreadableExe, type PlanEntry } from '../../policy/plan.js';
import { applyAdjustments, countOutcomes, describeTarget, type ApplyResult } from '../../policy/apply.js';
import { readCapSysResource, GRANT_CAP_SYS_RESOURCE } from '../../policy/capability.js';
import { readUidLookup } from '../../policy/users.js';
import { createSampler } from '../../sample/host.js';
import { DEFAULT_PROC_ROOT, ProcFs } from '../../sample/procfs.js';
import type { HostSnapshot } from '../../model/snapshot.js';
import { renderTable } from '../../util/table.js';
import { formatBytes } from '../../util/format.js';
import { sanitizeTerminal } from '../../util/escape.js';
import { registerProtectSystemd } from './protect-systemd.js';
import type { ProtectPlanJson } from '../json/protect-plan.js';

interface PlanOpts {
  json?: boolean;
  config?: string;
  procRoot?: string;
  cgroupRoot?: string;
  passwd?: string;
}
interface ApplyOpts extends PlanOpts {
  dryRun?: boolean;
  db?: string;
}

/** `oomwatch protect plan|apply|systemd`: the protection policy from the command line (docs/protection.md). */
export function registerProtect(program: Command, io: CliIo): void {
  const protect = program
    .command('protect')
    .description('Protect important processes from the OOM killer (oom_score_adj policy, systemd drop-ins).');
  protect
    .command('plan')
    .description('Show which processes the policy selects, their current and target oom_score_adj, and what that means on this host.')
    .option('--json', 'print the plan as JSON')
    .option('--config <file>', 'config file (default: $OOMWATCH_CONFIG, /etc/oomwatch/config.yaml)')
    .option('--proc-root <dir>', 'procfs root (default: sample.procRoot)')
    .option('--cgroup-root <dir>', 'cgroup filesystem root (default: sample.cgroupRoot)')
    .option('--passwd <file>', 'passwd file that resolves user names in rules (default: /etc/passwd; for a --proc-root tree)')
    .action((opts: PlanOpts) => runPlan(io, opts));
  protect
    .command('apply')
    .description('Write the planned values once (the agent does this every tick when policy.enforce is true).')
    .option('--dry-run', 'show what would be written; write nothing')
    .option('--json', 'print the results as JSON')
    .option('--config <file>', 'config file')
    .option('--proc-root <dir>', 'procfs root (default: sample.procRoot)')
    .option('--cgroup-root <dir>', 'cgroup filesystem root (default: sample.cgroupRoot)')
    .option('--passwd <file>', 'passwd file that resolves user names in rules (default: /etc/passwd; for a --proc-root tree)')
    .option('--db <file>', 'database that records the audit of each change (default: store.path)')
    .action((opts: ApplyOpts) => runApply(io, opts));
  registerProtectSystemd(protect, io);
}

function preparePlan(
  io: CliIo,
  opts: PlanOpts,
): { policy: CompiledPolicy; snapshot: HostSnapshot; plan: PlanEntry[]; procfs: ProcFs; dbPath: (cli?: string) => string } {
  const { config } = loadCommandConfig(io, opts.config);
  const procRoot = opts.procRoot ?? config.sample.procRoot;
  const policy = compilePolicy(config.policy, readUidLookup(opts.passwd ?? '/etc/passwd').uidOf);
  const { sampler, procfs } = createSampler({
    procRoot,
    cgroupRoot: opts.cgroupRoot ?? config.sample.cgroupRoot,
    refreshEveryMs: config.sample.keyframeEvery,
    hostname: config.agent.hostname,
  });
  const snapshot = sampler.takeSnapshot(Date.now());
  const plan = planAdjustments(snapshot.processes, policy, snapshot);
  return { policy, snapshot, plan, procfs, dbPath: (cli) => resolveDbPath(config, cli, io.env) };
}

function runPlan(io: CliIo, opts: PlanOpts): void {
  const { policy, snapshot, plan } = preparePlan(io, opts);
  const capSysResource = readCapSysResource(new ProcFs(DEFAULT_PROC_ROOT));
  const unmatched = unmatchedRules(policy, plan);
  if (opts.json) {
    const doc: ProtectPlanJson = {
      bootId: snapshot.bootId,
      totalBytes: snapshot.memory.memTotalBytes + snapshot.memory.swapTotalBytes,
      capSysResource,
      enforce: policy.enforce,
      entries: plan,
      unmatchedRules: unmatched,
    };
    printJson(io, doc);
    return;
  }
  if (policy.rules.length === 0) {
    io.out('The policy has no rules: nothing to protect. Add policy.rules (see config/policy.example.yaml).');
    return;
  }
  const total = snapshot.memory.memTotalBytes + snapshot.memory.swapTotalBytes;
  io.out(
    `Host: ${formatBytes(total)} RAM+swap, ${snapshot.processes.length} processes; ${plan.length} selected by the policy (enforce: ${policy.enforce}).`,
  );
  if (plan.length) {
    io.out(
      renderTable(plan, [
        { header: 'PID', get: (e) => e.process.pid, align: 'right' },
        { header: 'PROCESS', get: (e) => e.process.comm, max: 16 },
        { header: 'RULE', get: (e) => e.rule.id, max: 24 },
        { header: 'CURRENT', get: (e) => e.currentAdj, align: 'right' },
        { header: 'TARGET', get: (e) => e.targetAdj, align: 'right' },
        {
          header: 'ACTION',
          get: (e) =>
            e.action === 'keep'
              ? 'keep'
              : e.mayNeedCapability && capSysResource === false
                ? 'set (refused without CAP_SYS_RESOURCE)'
                : 'set',
        },
      ]),
    );
    for (const e of plan) {
      io.out(
        `\n${sanitizeTerminal(e.process.comm)} (pid ${e.process.pid}), rule ${e.rule.id}${e.rule.why ? ` (${sanitizeTerminal(e.rule.why)})` : ''}:`,
      );
      io.out(`  effect:   ${e.effect.text}`);
      if (e.cgroupEffect) io.out(`  cgroup:   ${sanitizeTerminal(e.cgroupEffect.text)}`);
      io.out(`  children: ${e.children.text}`);
    }
  }
  if (unmatched.length)
    io.out(
      `\nRules that select no process now: ${unmatched.join(', ')} (a stopped service, a misspelt name, or a user missing from /etc/passwd).`,
    );
  const exeUnread = unreadableExe(policy, snapshot);
  if (exeUnread) io.out(`\n${exeUnread}`);
  const refused = plan.filter((e) => e.action === 'set' && e.mayNeedCapability);
  if (refused.length && capSysResource === false) {
    io.out(
      `\noomwatch lacks CAP_SYS_RESOURCE: ${refused.length} value${refused.length === 1 ? '' : 's'} below 0 would be refused. ${GRANT_CAP_SYS_RESOURCE}`,
    );
  }
}

function runApply(io: CliIo, opts: ApplyOpts): void {
  const { snapshot, plan, procfs, dbPath } = preparePlan(io, opts);
  const toWrite = plan.filter((e) => e.action === 'set');
  const results = applyAdjustments(procfs, toWrite, { bootId: snapshot.bootId, dryRun: opts.dryRun });
  if (!opts.dryRun) audit(dbPath(opts.db), results);
  const counts = countOutcomes(results);
  const denied = results.filter((r) => r.outcome === 'denied' || r.outcome === 'failed');
  // A dry run writes nothing, so the kernel cannot refuse: predict what the missing capability would refuse.
  const capSysResource = opts.dryRun ? readCapSysResource(new ProcFs(DEFAULT_PROC_ROOT)) : null;
  const wouldBeRefused = (r: ApplyResult) => r.outcome === 'would-apply' && r.entry.mayNeedCapability && capSysResource === false;
  if (denied.length) io.exitCode = 77; // EX_NOPERM: finished, but something stays unprotected
  if (opts.json) {
    printJson(io, {
      dryRun: Boolean(opts.dryRun),
      alreadyRight: plan.length - toWrite.length,
      counts,
      results: results.map((r) => ({
        ...r.entry.process,
        rule: r.entry.rule.id,
        fromAdj: r.fromAdj,
        toAdj: r.toAdj,
        outcome: r.outcome,
        message: r.message,
        ...(opts.dryRun ? { wouldBeRefused: wouldBeRefused(r) } : {}),
      })),
    });
    return;
  }
  io.out(
    `${plan.length} selected, ${plan.length - toWrite.length} already right, ${toWrite.length} to ${opts.dryRun ? 'write (dry run: nothing written)' : 'write'}.`,
  );
  if (results.length) {
    io.out(
      renderTable(results, [
        { header: 'PID', get: (r) => r.entry.process.pid, align: 'right' },
        { header: 'PROCESS', get: (r) => r.entry.process.comm, max: 16 },
        { header: 'RULE', get: (r) => r.entry.rule.id, max: 24 },
        { header: 'FROM', get: (r) => r.fromAdj, align: 'right' },
        { header: 'TO', get: (r) => r.toAdj, align: 'right' },
        { header: 'OUTCOME', get: (r) => (wouldBeRefused(r) ? 'would be refused (no CAP_SYS_RESOURCE)' : r.outcome) },
      ]),
    );
  }
  const refusedInDryRun = results.filter(wouldBeRefused);
  if (refusedInDryRun.length)
    io.out(`\noomwatch lacks CAP_SYS_RESOURCE: ${refusedInDryRun.length} of these writes would be refused. ${GRANT_CAP_SYS_RESOURCE}`);
  // One message for everything the missing capability leaves unprotected, with the fix once; other failures one by one.
  const noCap = denied.filter((r) => r.outcome === 'denied' && r.toAdj < 0);
  if (noCap.length) {
    io.err(
      `oomwatch: cannot protect ${noCap.length} process${noCap.length === 1 ? '' : 'es'}: lowering oom_score_adj below 0 needs CAP_SYS_RESOURCE, which oomwatch lacks. ` +
        `Unprotected: ${noCap.map((r) => `${describeTarget(r.entry)} stays at ${r.fromAdj ?? 'unknown'} instead of ${r.toAdj}`).join('; ')}. ${GRANT_CAP_SYS_RESOURCE}`,
    );
  }
  for (const r of denied) if (!noCap.includes(r)) io.err(`oomwatch: ${r.message}`);
}

function audit(path: string, results: readonly ApplyResult[]): void {
  const rows = results
    .filter((r) => r.outcome === 'applied' || r.outcome === 'denied' || r.outcome === 'failed' || r.outcome === 'identity-changed')
    .map((r) => ({
      tsMs: Date.now(),
      bootId: r.entry.process.bootId,
      pid: r.entry.process.pid,
      startTimeTicks: r.entry.process.startTimeTicks,
      comm: r.entry.process.comm,
      ruleId: r.entry.rule.id,
      fromAdj: r.fromAdj,
      toAdj: r.toAdj,
      reason: 'cli' as const,
      outcome: r.outcome as 'applied' | 'denied' | 'failed' | 'identity-changed',
      message: r.message,
    }));
  if (rows.length === 0) return;
  const store = openStore(path);
  try {
    store.policy.recordChanges(rows);
  } finally {
    store.close();
  }
}
