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
/**
 * V8 flags that `oomwatch run` sets on itself as its first step (v8.setFlagsFromString), because Node refuses
 * them in NODE_OPTIONS and the unit starts the installed `oomwatch` script, not `node`:
 * - `--optimize-for-size`: V8 grows the old generation by a smaller factor and compacts it sooner, so the
 *   garbage between full collections stays small. It is read at each collection, so setting it after start
 *   works.
 */
export const AGENT_V8_FLAGS: readonly string[] = ['--optimize-for-size'];
export const AGENT_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--v8-pool-size=1'];
export const AGENT_ENV: Readonly<Record<string, string>> = { UV_THREADPOOL_SIZE: '1' };
