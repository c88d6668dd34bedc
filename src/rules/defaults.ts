/**
 * The rules used when the config has no `rules:` key, so an agent started with no config still alerts
 * (to every configured channel, the console included). Written as raw config (durations as text) and
 * parsed by the same schema as user rules. docs/rules.md explains each choice.
 */
export const DEFAULT_RULES: readonly Record<string, unknown>[] = [
  // What a process holds itself (oom_score_adj left out: browsers' renderers and Kubernetes BestEffort pods
  // volunteer with adj 300..1000), of the host: at 800 ‰ one process leaves the rest of the machine a fifth.
  // A database sized to 60 % of RAM is expected; a process filling its own container is cgroup-near-limit's.
  {
    id: 'process-risk-high',
    kind: 'process-risk',
    severity: 'warning',
    basis: 'usage',
    domain: 'host',
    above: 800,
    clearBelow: 700,
    for: '1m',
  },
  // Own share too: a tab moved from adj 300 to 1000 does not "rise".
  { id: 'risk-rising', kind: 'risk-rising', severity: 'warning', increase: 200, clearIncrease: 100, within: '10m' },
  // 1 MiB/s sustained for 10 minutes is 600 MiB: a leak, not a cache warming up.
  {
    id: 'rss-leak',
    kind: 'rss-growth',
    severity: 'warning',
    bytesPerSecond: '1MiB',
    clearBytesPerSecond: '256KiB',
    over: '10m',
    minRssBytes: '256MiB',
  },
  // Protected: by the policy, or by anyone who lowered oom_score_adj below 0 (sshd, a database, Guaranteed pods).
  {
    id: 'protected-next-victim',
    kind: 'protected-next-victim',
    severity: 'warning',
    fromPolicy: true,
    negativeAdj: true,
    minRisk: 100,
    for: '30s',
  },
  { id: 'host-memory-low', kind: 'host-memory-available', severity: 'warning', belowPercent: 15, clearAbovePercent: 20, for: '1m' },
  { id: 'host-memory-critical', kind: 'host-memory-available', severity: 'critical', belowPercent: 5, clearAbovePercent: 8, for: '20s' },
  { id: 'swap-used', kind: 'swap-used', severity: 'warning', abovePercent: 80, clearBelowPercent: 70, for: '2m' },
  // full avg10 > 10 %: every runnable task spent a tenth of the last 10 s waiting for memory.
  { id: 'memory-pressure', kind: 'psi', severity: 'warning', line: 'full', window: 'avg10', above: 10, clearBelow: 5, for: '30s' },
  { id: 'cgroup-near-limit', kind: 'cgroup-usage', severity: 'warning', abovePercent: 90, clearBelowPercent: 85, for: '1m' },
  // `for` keeps a short burst (a build, a cache fill) from paging; a real exhaustion trend lasts longer. It
  // shrinks to a quarter of the predicted time left (a pod that dies in 40 s waits 10 s, not a minute).
  {
    id: 'time-to-oom',
    kind: 'time-to-oom',
    severity: 'critical',
    horizon: '10m',
    clearHorizon: '20m',
    window: '5m',
    target: 'both',
    for: '1m',
    groupWait: '0s',
  },
  // Every kill pages at once, even when an earlier kill's group was notified minutes ago.
  { id: 'oom-kill', kind: 'oom-kill', severity: 'critical', keepFiringFor: '10m', groupWait: '0s', groupInterval: '0s' },
  { id: 'agent-health', kind: 'agent-health', severity: 'warning', for: '0s', groupWait: '0s' },
];
