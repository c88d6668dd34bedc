/**
 * Cross-checks for `rules:` and `alerting:` (spread into config/cross-checks.ts). Pure: config in,
 * messages out. Channel names a rule routes to are checked by notify/config-checks.ts.
 */
import { ruleWhere, type CrossCheck } from '../config/cross-checks.js';
import { formatDurationMs } from '../util/duration.js';
import { kindSpecOf, trendWindowOf } from './kinds/index.js';
import { ALERT_LABELS } from './silences.js';

const known = new Set<string>(ALERT_LABELS);

export const rulesCrossChecks: CrossCheck[] = [
  function alertingLabelsExist({ config, warnings }) {
    const a = config.alerting;
    for (const l of a.groupBy) if (!known.has(l)) warnings.push(`alerting.groupBy: alerts have no label "${l}", so it groups nothing apart. Use labels from: ${ALERT_LABELS.join(', ')}.`);
    a.inhibit.forEach((r, i) => {
      for (const l of [...Object.keys(r.source), ...Object.keys(r.target), ...r.equal]) {
        if (!known.has(l)) warnings.push(`alerting.inhibit.${i}: alerts have no label "${l}", so this inhibition never applies. Use labels from: ${ALERT_LABELS.join(', ')}.`);
      }
    });
  },
  function trendWindowsCoverSamples(ctx) {
    const { config, warnings } = ctx;
    const interval = config.sample.interval;
    config.rules.forEach((r, i) => {
      // A trend is trusted once its points cover half the window (rules/history.ts): that needs window ≥ 4 intervals for 3 points.
      const w = trendWindowOf(r);
      if (w !== null && w.ms < 4 * interval) {
        warnings.push(
          `${ruleWhere(ctx, i)}.${w.key}: ${formatDurationMs(w.ms)} holds too few samples at sample.interval ${formatDurationMs(interval)} for a trend. ` +
            `Set it to at least ${formatDurationMs(4 * interval)}, or sample more often; until then the rule never fires.`,
        );
      }
    });
  },
  function scopeFitsTheKind(ctx) {
    const { config, warnings } = ctx;
    config.rules.forEach((r, i) => {
      if (!r.scope) return;
      const keys = Object.keys(r.scope);
      const use = kindSpecOf(r)?.scope;
      const hostOnly = use === 'host';
      const cgroupOnly = use === 'cgroup';
      if (hostOnly) warnings.push(`${ruleWhere(ctx, i)}.scope: a ${r.kind} rule watches the host, so its scope is ignored. Remove scope.`);
      else if (cgroupOnly && keys.some((k) => k !== 'cgroup'))
        warnings.push(`${ruleWhere(ctx, i)}.scope: a ${r.kind} rule watches cgroups, so only scope.cgroup applies (${keys.filter((k) => k !== 'cgroup').join(', ')} ignored).`);
    });
  },
  function rulesRouteSomewhere(ctx) {
    const { config, warnings } = ctx;
    config.rules.forEach((r, i) => {
      if (r.channels && r.channels.length === 0) warnings.push(`${ruleWhere(ctx, i)}.channels: an empty list sends this rule's alerts nowhere (they are still recorded). Remove the key to use every channel.`);
    });
  },
];
