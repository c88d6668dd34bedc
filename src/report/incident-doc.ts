/** The incident report as a Doc (doc.ts): what each format shows, in order. Pure. */
import { formatBytes, formatPercent } from '../util/format.js';
import { describeWorkload, workloadFacts } from '../workload/describe.js';
import { formatDurationMs } from '../util/duration.js';
import { at, clock, type Block, type Doc } from './doc.js';
import { growthText } from './incident-advice.js';
import type { IncidentReport } from './types.js';

export function buildIncidentDoc(r: IncidentReport): Doc {
  const tz = r.timeZone;
  const inc = r.incident;
  const workloadText = inc?.workload ? describeWorkload(inc.workload) : null;
  const blocks: Block[] = [];
  const title = inc
    ? `OOM kill${inc.id !== null ? ` #${inc.id}` : ''} on ${r.host}: ${inc.victim ? `${inc.victim.comm} (pid ${inc.victim.pid})` : (inc.killedCgroup ?? 'victim unknown')}${inc.killer !== 'kernel' ? ` by ${inc.killer}` : ''}${workloadText ? ` in ${workloadText}` : ''}`
    : `Memory on ${r.host} at ${at(r.window.toMs, tz)}`;
  const subtitle = `window ${at(r.window.fromMs, tz)} → ${at(r.window.toMs, tz)} (${formatDurationMs(r.window.toMs - r.window.fromMs)})`;

  if (inc) {
    blocks.push({ kind: 'heading', text: 'The kill' });
    const facts = [
      `time: ${at(inc.timeMs, tz)}${inc.timeExact ? '' : ' (approximate)'}`,
      `constraint: ${inc.constraint ?? 'unknown'}${inc.oomMemcg && inc.constraint === 'memcg' ? ` in cgroup ${inc.oomMemcg}` : ''}`,
      inc.killer === 'kernel'
        ? `killed by the kernel: ${inc.victim ? `${inc.victim.comm} (pid ${inc.victim.pid}, uid ${inc.victim.uid ?? '?'}, anon-rss ${formatBytes(inc.victim.anonRssBytes)}, oom_score_adj ${inc.victim.oomScoreAdj ?? '?'})` : 'unknown'}`
        : `killed by ${inc.killer}: ${inc.victim ? `${inc.victim.comm} (pid ${inc.victim.pid}, uid ${inc.victim.uid ?? '?'})` : inc.killedCgroup ? `cgroup ${inc.killedCgroup}` : 'unknown'}`,
      ...(inc.reason ? [`${inc.killer}'s reason: ${inc.reason}`] : []),
      ...(inc.groupCgroup
        ? [
            `memory.oom.group: ${inc.groupVictimCount} other process${inc.groupVictimCount === 1 ? '' : 'es'} of ${inc.groupCgroup} killed with it`,
          ]
        : []),
      ...(inc.workload
        ? workloadFacts(inc.workload)
            .filter((f) => f.label !== 'workload')
            .map((f) => `${f.label}: ${f.value}`)
        : []),
      `triggered by: ${inc.trigger ? `${inc.trigger.comm} (pid ${inc.trigger.pid ?? '?'})` : 'unknown'}`,
      `source: ${inc.source}${inc.noKernelReport ? ' (no kernel report: seen only in the kill counters)' : ''}`,
    ];
    blocks.push({ kind: 'list', items: facts });
  }
  if (r.missing.length) {
    blocks.push({ kind: 'heading', text: 'Missing data' });
    blocks.push({ kind: 'list', items: r.missing });
  }
  if (inc) {
    blocks.push({ kind: 'heading', text: 'Culprit versus victim' });
    const v = r.verdict;
    const lines: string[] = [];
    lines.push(`kernel's victim: ${v.kernelVictim ? `${v.kernelVictim.comm} (pid ${v.kernelVictim.pid})` : 'unknown'}`);
    lines.push(
      `oomwatch's first-ranked: ${v.firstRanked ? `${v.firstRanked.comm} (pid ${v.firstRanked.pid}, risk ${v.firstRanked.risk ?? '?'} ‰)` : 'no ranking'}`,
    );
    const c = r.culprit;
    lines.push(
      `fastest growth in the window (culprit): ${c ? `${c.comm} (pid ${c.pid}, ${growthText(c)}${c.startedInWindow ? `; started at ${clock(c.firstSampleMs, tz)} with ${formatBytes(c.startRssBytes)}` : ''})${c.isVictim ? ' — the victim itself' : ''}` : 'none measured (no process grew by more than a few MiB between its first and last sample)'}`,
    );
    for (const g of r.growth) {
      if (g !== c && g.startedInWindow && c && g.startRssBytes >= c.growthBytes / 2) {
        const after = Math.abs(g.growthBytes) < 1024 * 1024 ? 'stayed flat' : `then grew ${growthText(g)}`;
        lines.push(
          `not the culprit: ${g.comm} (pid ${g.pid}) started at ${clock(g.firstSampleMs, tz)} with ${formatBytes(g.startRssBytes)} and ${after}; memory it held from its start is not growth`,
        );
      }
    }
    lines.push(...v.reasons.map((x) => `why: ${x}`));
    blocks.push({ kind: 'list', items: lines });
  }
  if (r.memory) {
    const m = r.memory;
    blocks.push({ kind: 'heading', text: 'Host memory' });
    blocks.push({
      kind: 'para',
      text: `lowest MemAvailable ${formatBytes(m.lowestAvailableBytes)} of ${formatBytes(m.memTotalBytes)} (${formatPercent(m.lowestAvailableBytes / m.memTotalBytes)}) at ${clock(m.lowestAvailableAtMs, tz)}; swap ${m.swapTotalBytes ? formatBytes(m.swapTotalBytes) : 'none'}; peak PSI some avg10 ${m.peakPsiSome10 === null ? 'n/a' : `${m.peakPsiSome10.toFixed(1)} %`}`,
    });
    const start = r.window.fromMs;
    const toSeries = (pick: (p: (typeof m.points)[number]) => number | null) => {
      const out: (number | null)[] = new Array(Math.round((r.window.toMs - start) / r.window.bucketMs)).fill(null);
      for (const p of m.points) out[Math.round((p.tsMs - start) / r.window.bucketMs) - 1] = pick(p);
      return out;
    };
    const series = [{ name: 'MemAvailable', values: toSeries((p) => p.memAvailableBytes) }];
    if (m.swapTotalBytes) series.push({ name: 'swap used', values: toSeries((p) => p.swapUsedBytes) });
    blocks.push({
      kind: 'chart',
      chart: { title: 'Host memory', unit: 'bytes', startMs: start, bucketMs: r.window.bucketMs, max: m.memTotalBytes, series },
    });
    if (m.peakPsiSome10 !== null) {
      blocks.push({
        kind: 'chart',
        chart: {
          title: 'Memory pressure (PSI avg10)',
          unit: 'percent',
          startMs: start,
          bucketMs: r.window.bucketMs,
          series: [
            { name: 'some', values: toSeries((p) => p.psiSome10) },
            { name: 'full', values: toSeries((p) => p.psiFull10) },
          ],
        },
      });
    }
  }
  if (r.cgroup) {
    const c = r.cgroup;
    blocks.push({ kind: 'heading', text: `Memory cgroup ${c.path}` });
    blocks.push({
      kind: 'para',
      text: `peak usage ${formatBytes(c.peakUsageBytes)} of its ${formatBytes(c.limitBytes)} limit (${formatPercent(c.limitBytes ? c.peakUsageBytes / c.limitBytes : null)}) at ${clock(c.peakAtMs, tz)}`,
    });
    blocks.push({
      kind: 'chart',
      chart: {
        title: `cgroup ${c.path} usage`,
        unit: 'bytes',
        startMs: r.window.fromMs,
        bucketMs: r.window.bucketMs,
        series: [{ name: 'usage', values: c.usage }],
        limit: { label: 'limit', value: c.limitBytes },
      },
    });
  }
  if (r.growth.length) {
    blocks.push({ kind: 'heading', text: "Memory growth in the window (rss + swap, from each process's first sample)" });
    blocks.push({
      kind: 'table',
      headers: ['PID', 'COMM', 'FIRST SAMPLE', 'START', 'END', 'GROWTH', 'OVER', 'RATE', ''],
      right: [0, 3, 4, 5, 6, 7],
      rows: r.growth.map((g) => [
        String(g.pid),
        g.comm,
        g.startedInWindow ? `${clock(g.firstSampleMs, tz)} (started)` : clock(g.firstSampleMs, tz),
        formatBytes(g.startRssBytes),
        formatBytes(g.endRssBytes),
        `${g.growthBytes >= 0 ? '+' : ''}${formatBytes(g.growthBytes)}`,
        formatDurationMs(g.spanMs),
        g.spanMs > 0 ? `${formatBytes(g.growthBytesPerS)}/s` : '-',
        [g.isVictim ? 'victim' : '', g === r.culprit ? 'culprit' : ''].filter(Boolean).join(', '),
      ]),
    });
    blocks.push({
      kind: 'chart',
      chart: {
        title: 'Memory of the largest growers',
        unit: 'bytes',
        startMs: r.window.fromMs,
        bucketMs: r.window.bucketMs,
        series: r.growth.map((g) => ({ name: `${g.comm} (${g.pid})`, values: g.series, emphasis: g.isVictim })),
      },
    });
  }
  if (r.riskSeries.length) {
    blocks.push({
      kind: 'chart',
      chart: {
        title: 'Risk of the top processes (‰ of the domain)',
        unit: 'permille',
        startMs: r.window.fromMs,
        bucketMs: r.window.bucketMs,
        series: r.riskSeries.map((s) => ({ name: `${s.comm} (${s.pid})`, values: s.series, emphasis: inc?.victim?.pid === s.pid })),
      },
    });
  }
  if (inc && !r.rankings.length) {
    blocks.push({ kind: 'heading', text: 'Rankings' });
    blocks.push({
      kind: 'para',
      text: r.memory
        ? "no ranking: no process of the kill's domain was sampled in the window"
        : 'no ranking: nothing was sampled on this host in the window, so who was next in line is unknown',
    });
  } else if (!inc && !r.rankings.length) {
    blocks.push({ kind: 'heading', text: 'Rankings' });
    blocks.push({ kind: 'para', text: 'no ranking: nothing was sampled in the window' });
  }
  for (const rk of r.rankings) {
    blocks.push({
      kind: 'heading',
      text: `Ranking at ${clock(rk.atMs, tz)} (${rk.label}), ${rk.domain === 'cgroup' ? `cgroup ${rk.cgroup}` : 'host'} domain`,
    });
    if (!rk.rows.length) {
      blocks.push({ kind: 'para', text: 'no process of the domain was sampled at this instant' });
      continue;
    }
    blocks.push({
      kind: 'table',
      headers: ['#', 'PID', 'COMM', 'RISK‰', 'RSS', 'ADJ', ''],
      right: [0, 1, 3, 4, 5],
      rows: rk.rows.map((x, i) => [
        String(i + 1),
        String(x.pid),
        x.comm,
        x.risk === null ? '-' : String(x.risk),
        formatBytes(x.rssBytes),
        String(x.oomScoreAdj),
        x.isVictim ? 'victim' : '',
      ]),
    });
  }
  if (r.kernelTasks.length) {
    blocks.push({ kind: 'heading', text: "The kernel's task table at the kill (largest first)" });
    blocks.push({
      kind: 'table',
      headers: ['PID', 'NAME', 'RSS', 'ADJ', ''],
      right: [0, 2, 3],
      rows: r.kernelTasks.map((t) => [
        String(t.pid),
        t.name,
        formatBytes(t.rssBytes),
        t.oomScoreAdj === null ? '-' : String(t.oomScoreAdj),
        t.isVictim ? 'victim' : '',
      ]),
      more: r.kernelTasksMore ? `and ${r.kernelTasksMore} more tasks` : undefined,
    });
  }
  blocks.push({ kind: 'heading', text: 'Protection' });
  if (r.protection.exposed.length) {
    blocks.push({
      kind: 'list',
      items: r.protection.exposed.map(
        (e) => `${e.comm} (pid ${e.pid}, oom_score_adj ${e.oomScoreAdj}): ${e.killed ? 'KILLED' : `ranked ${e.bestRank} in the window`}`,
      ),
    });
  } else blocks.push({ kind: 'para', text: 'no protected process (oom_score_adj < 0) was exposed in the window' });
  if (r.protection.changes.length) {
    blocks.push({
      kind: 'table',
      headers: ['AT', 'PID', 'COMM', 'ADJ', 'OUTCOME', 'RULE'],
      right: [1, 3],
      rows: r.protection.changes.map((c) => [at(c.tsMs, tz), String(c.pid), c.comm, String(c.toAdj), c.outcome, c.ruleId]),
    });
  }
  blocks.push({ kind: 'heading', text: 'Recommendations' });
  blocks.push(
    r.recommendations.length
      ? { kind: 'list', items: r.recommendations }
      : { kind: 'para', text: 'nothing specific: the data shows no single cause' },
  );
  return { title, subtitle, blocks };
}
