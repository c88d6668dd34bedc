/**
 * Benchmark of `oomwatch import` on a large log. Prints figures; asserts nothing.
 *   npm run build && node dist/scripts/bench/import.js [size MiB, default 200] [reports, default 5]
 * Writes a dmesg-format log of the given size (ordinary kernel lines, with a complete OOM kill report, from
 * test/fixtures/kmsg/synthetic/4.14-global-child-dmesg.txt, at evenly spaced places), runs the built CLI on it as
 * a child process, and prints its peak RSS (VmHWM, polled from /proc while it runs), its wall time and what it found.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/package-root.js';

const MiB = 1024 * 1024;

/** Writes `sizeBytes` of dmesg lines with `reports` OOM reports; returns the number of lines. */
export function writeLargeLog(path: string, sizeBytes: number, reports: number): number {
  const report = readFileSync(join(packageRoot(), 'test/fixtures/kmsg/synthetic/4.14-global-child-dmesg.txt'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => l.replace(/^\[\s*[\d.]+\]/, ''));
  const foreign = [
    ' usb 1-1: new high-speed USB device number 3 using xhci_hcd',
    ' EXT4-fs (sda1): mounted filesystem with ordered data mode. Quota mode: none.',
    ' audit: type=1400 audit(1700000000.000:42): apparmor="DENIED" operation="open" profile="snap" name="/proc/1/environ"',
    ' e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx',
  ];
  const fd = openSync(path, 'w');
  let written = 0;
  let lines = 0;
  let us = 1_000_000;
  const every = Math.floor(sizeBytes / (reports + 1));
  let nextReport = every;
  let buf: string[] = [];
  let bufBytes = 0;
  const line = (text: string) => {
    us += 137;
    const s = `[${String(Math.floor(us / 1e6)).padStart(5)}.${String(us % 1e6).padStart(6, '0')}]${text}\n`;
    buf.push(s);
    bufBytes += s.length;
    written += s.length;
    lines++;
    if (bufBytes > 4 * MiB) {
      writeSync(fd, buf.join(''));
      buf = [];
      bufBytes = 0;
    }
  };
  while (written < sizeBytes) {
    if (written >= nextReport) {
      for (const l of report) line(l);
      nextReport += every;
    } else line(foreign[lines % foreign.length]);
  }
  writeSync(fd, buf.join(''));
  closeSync(fd);
  return lines;
}

/** Runs the CLI and polls its VmHWM until it exits. */
function runImport(file: string): Promise<{ code: number | null; peakRssBytes: number; ms: number; stdout: string; stderr: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, [join(packageRoot(), 'dist/src/cli/bin.js'), 'import', file, '--json'], {
    env: { ...process.env, OOMWATCH_CONFIG: '' },
  });
  let peakKib = 0;
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKib = Math.max(peakKib, Number(m[1]));
    } catch {
      // exited between polls
    }
  }, 20);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, peakRssBytes: peakKib * 1024, ms: performance.now() - started, stdout, stderr });
    });
  });
}

const sizeMiB = Number(process.argv[2] ?? 200);
const reports = Number(process.argv[3] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'oomwatch-bench-import-'));
try {
  const file = join(dir, 'kern.log');
  const lines = writeLargeLog(file, sizeMiB * MiB, reports);
  const r = await runImport(file);
  const found = r.code === 0 ? (JSON.parse(r.stdout) as { incidents: unknown[] }).incidents.length : null;
  console.log(`import of a ${sizeMiB} MiB dmesg log (${lines.toLocaleString('en')} lines, ${reports} OOM reports):`);
  console.log(
    `  exit ${r.code}, ${found ?? '?'} incidents, peak RSS ${(r.peakRssBytes / MiB).toFixed(1)} MiB, ${(r.ms / 1000).toFixed(2)} s`,
  );
  if (r.code !== 0) console.log(r.stderr);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
