/**
 * Starts real daemons (prometheus, alertmanager) for the fleet tests, on loopback ports in temp dirs.
 * When a daemon is not installed, a test is skipped with the reason, except under CI=true, where
 * .ci/run installs them (scripts/ci-services.sh) and their absence is a failure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';

export function findBinary(names: string[]): string | null {
  for (const name of names) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return null;
}

/** Under CI a missing daemon fails the run instead of skipping it. */
export function requireInCi(binary: string | null, what: string): void {
  if (!binary && process.env.CI === 'true') {
    throw new Error(
      `${what} is not installed but CI=true: run scripts/ci-services.sh (apt-get install prometheus prometheus-alertmanager).`,
    );
  }
}

export async function freePort(): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export interface Daemon {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export function startDaemon(binary: string, args: string[]): Daemon {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  return {
    child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `check` until it returns a value, or fails with the daemon's output after `timeoutMs`. */
export async function waitFor<T>(what: string, daemon: Daemon, check: () => Promise<T | null>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown = null;
  while (Date.now() < deadline) {
    if (daemon.child.exitCode !== null)
      throw new Error(`${what}: the daemon exited (${daemon.child.exitCode}):\n${daemon.output().slice(-3000)}`);
    try {
      const v = await check();
      if (v !== null) return v;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(
    `${what}: timed out after ${timeoutMs} ms (last error: ${String(lastErr)}). Daemon output:\n${daemon.output().slice(-3000)}`,
  );
}

/** A real Prometheus in `dir`, scraping the given loopback ports every second as job `oomwatch`. */
export async function startPrometheus(binary: string, dir: string, targetPorts: number[]): Promise<{ daemon: Daemon; port: number }> {
  const port = await freePort();
  const config = join(dir, 'prometheus.yml');
  const targets = targetPorts.map((p) => `'127.0.0.1:${p}'`).join(', ');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      'scrape_configs:',
      '  - job_name: oomwatch',
      '    static_configs:',
      `      - targets: [${targets}]`,
      '',
    ].join('\n'),
  );
  const daemon = startDaemon(binary, [
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(dir, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
  return { daemon, port };
}
