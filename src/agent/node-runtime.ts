/**
 * How the agent's Node.js process is started: the same flags in the systemd unit (config/oomwatch.service),
 * `npm start` (package.json) and the whole-agent benchmark; a test keeps the three in step.
 *
 * - `--max-semi-space-size=1`: V8's young generation grows to 2 × 16 MiB by default and stays resident; the
 *   agent's per-tick garbage is small, so a 1 MiB semi-space keeps RSS ~30 MB lower for a few more, cheap scavenges.
 * - `--v8-pool-size=1`: one V8 helper thread (concurrent marking and compilation) instead of four.
 * - `UV_THREADPOOL_SIZE=1`: the agent reads /proc synchronously, yet on Node 20 the ES module loader reads every
 *   module file asynchronously, which starts libuv's thread pool (four threads by default) before the first line
 *   of oomwatch runs. One thread is enough for that and for DNS lookups of the notification channels.
 */
export const AGENT_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--v8-pool-size=1'];
export const AGENT_ENV: Readonly<Record<string, string>> = { UV_THREADPOOL_SIZE: '1' };

/**
 * V8 flags measured and left out (whole agent, 2,000 extra idle processes, on a busy 2-core machine):
 * - `--optimize-for-size` (not allowed in NODE_OPTIONS; `oomwatch run` could set it on itself with
 *   v8.setFlagsFromString): VmHWM 84 instead of 97 MB at a 1 s interval and 3–4 MB less at 10 s, for 16–25 % more
 *   CPU at 1 s (two alternating runs each), which would take the agent past the C floor's CPU.
 * - `--lite-mode` (no optimising compiler): VmHWM 68 instead of ~90 MB at 10 s, about 45 % more CPU at 1 s (one run).
 * - `--no-opt`: 5 MB fewer pages of the node binary, about 20 % more CPU at 1 s (one run).
 * - `--single-threaded-gc`: no change in VmHWM (one run).
 * `--max-old-space-size` is a limit, not a saving: the unit sets it only as a ceiling.
 */
