/**
 * The kernel watcher as one of the agent's modules (src/agent/module.ts): start follows /dev/kmsg
 * (unless kernel.enabled is false), every tick runs the counters cross-check (also on ticks after a
 * gap: the kill counters only grow, so their deltas stay true), stop saves the cursor.
 */
import type { AgentContext, AgentModule } from '../agent/module.js';
import type { IncidentView } from '../model/incident.js';
import { suspendedMsFrom } from './kmsg-source.js';
import { createKernelWatcher, type KernelWatcher } from './watcher.js';

export function createKernelModule(
  ctx: AgentContext,
  opts: { onIncident?: (incident: IncidentView) => void; ensureWorkload?: (cgroupPath: string) => void } = {},
): AgentModule & { readonly watcher: KernelWatcher } {
  const watcher = createKernelWatcher({
    store: ctx.store,
    log: ctx.log,
    clock: ctx.clock,
    kmsgPath: ctx.config.kernel.kmsgPath,
    bootId: ctx.facts.bootId,
    hostname: ctx.facts.hostname,
    onIncident: opts.onIncident,
    ensureWorkload: opts.ensureWorkload,
    // The victim must have been listed within a few ticks before the kill.
    linkSlackMs: Math.max(60_000, 3 * ctx.config.sample.interval),
    suspendedMs: suspendedMsFrom(ctx.selfProc, ctx.clock),
  });
  return {
    name: 'kernel',
    watcher,
    start() {
      if (ctx.config.kernel.enabled) watcher.start();
      else ctx.log.child({ mod: 'kernel' }).info('kernel.enabled is false: OOM kills are recorded from the kill counters only');
    },
    onTick(tick) {
      watcher.onTick(tick.previous, tick.snapshot);
    },
    stop: () => watcher.stop(),
  };
}
