/**
 * `oomwatch service install [--root DIR] [--dry-run]`: writes the systemd unit shipped in
 * config/oomwatch.service, with ExecStart pointing at the installed binary and the capability blocks
 * of unused features left out. Rendering and diffing are pure (exported for tests); only
 * `installUnit` touches the disk, and it writes atomically (temp file, fsync, rename).
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { basename, delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { PermissionError, UsageError } from '../../errors.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { diffLines as lineDiff } from '../../util/line-diff.js';
import { packageRoot } from '../../util/package-root.js';
import type { CliIo } from '../io.js';

export type UnitFeature = 'kmsg' | 'protection';
export const UNIT_PATH = 'etc/systemd/system/oomwatch.service';
/** The PATH systemd gives services (systemd.exec(5), "Environment variables in spawned processes"). */
const SYSTEMD_DEFAULT_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin'];

/**
 * Pure: the unit text with ExecStart replaced and the `# >>> feature` … `# <<< feature` blocks of
 * features not in `features` replaced by a one-line note.
 */
export function renderUnit(template: string, opts: { execStart: string; features: ReadonlySet<UnitFeature> }): string {
  const out: string[] = [];
  let skipping: string | null = null;
  for (const line of template.split('\n')) {
    const open = /^# >>> ([a-z]+):/.exec(line);
    const close = /^# <<< ([a-z]+)\s*$/.exec(line);
    if (skipping) {
      if (close?.[1] === skipping) skipping = null;
      continue;
    }
    if (open && !opts.features.has(open[1] as UnitFeature)) {
      skipping = open[1];
      out.push(`# (${open[1]} capabilities left out by oomwatch service install --no-${open[1]})`);
      continue;
    }
    if (line.startsWith('ProtectHome=') && underHome(opts.execStart)) {
      // node or oomwatch lives under a home folder (nvm, a checkout): ProtectHome=yes would hide it and the
      // service would fail with status 203/EXEC. Read-only keeps homes safe from writes.
      out.push('# ExecStart runs from a home folder (nvm, a checkout): homes are read-only instead of hidden.');
      out.push('ProtectHome=read-only');
      continue;
    }
    out.push(line.startsWith('ExecStart=') ? `ExecStart=${opts.execStart}` : line);
  }
  return out.join('\n');
}

/** Whether a word of the command line is a path under /home or /root. */
const underHome = (execStart: string): boolean => /(^|[\s"])\/(home|root)(\/|\s|"|$)/.test(execStart);

/** Quotes one ExecStart word when it needs it (systemd.service(5), "Command lines"). */
function execWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `"${word.replace(/(["\\])/g, '\\$1')}"`;
}

export interface ExecStartInputs {
  /** --bin, if given. */
  bin?: string;
  /** process.argv[1]: the `oomwatch` link when run from an installed package, else .../dist/src/cli/bin.js. */
  argv1: string;
  /** process.execPath (node). */
  execPath: string;
  pathEnv?: string;
  exists(path: string): boolean;
  realpath(path: string): string;
}

/**
 * The ExecStart command line: the installed `oomwatch` binary when there is one (its `#!/usr/bin/env node`
 * finds node only if node sits on systemd's default PATH; otherwise node is named explicitly), else
 * node plus the absolute path of this checkout's bin.js.
 */
export function resolveExecStart(i: ExecStartInputs): string {
  if (i.bin !== undefined && (!isAbsolute(i.bin) || !i.exists(i.bin))) {
    throw new UsageError(
      `--bin: expected the absolute path of the installed oomwatch binary, got ${JSON.stringify(i.bin)} (${isAbsolute(i.bin) ? 'no such file' : 'not absolute'}). Try --bin "$(command -v oomwatch)".`,
    );
  }
  const onPath = (i.pathEnv ?? '')
    .split(delimiter)
    .filter(isAbsolute)
    .map((d) => join(d, 'oomwatch'))
    .find((p) => i.exists(p));
  const installed = i.bin ?? (basename(i.argv1) === 'oomwatch' ? resolve(i.argv1) : onPath);
  const nodeOnDefaultPath = SYSTEMD_DEFAULT_PATH.includes(dirname(i.execPath));
  if (installed && nodeOnDefaultPath) return `${execWord(installed)} run`;
  const script = i.realpath(installed ?? resolve(i.argv1));
  return `${execWord(i.execPath)} ${execWord(script)} run`;
}

/** Pure: a minimal line diff (LCS), `-` old, `+` new, two-space context for unchanged lines. */
export function diffLines(oldText: string, newText: string): string {
  return lineDiff(oldText.split('\n'), newText.split('\n'))
    .map((o) => `${o.op === ' ' ? ' ' : o.op} ${o.line}`)
    .join('\n');
}

/** Turns the errors a user can fix (not root, read-only root) into a message that says how. */
function writeUnitFile(path: string, text: string): void {
  try {
    writeFileAtomic(path, text);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      const why = code === 'EROFS' ? 'the file system is read-only' : 'permission denied';
      throw new PermissionError(
        `Cannot write ${path}: ${why}. Run it as root (sudo oomwatch service install), or pass --root DIR to write under a folder you can write.`,
        { cause: err },
      );
    }
    throw err;
  }
}

export interface InstallOptions {
  root: string;
  dryRun: boolean;
  execStart: string;
  features: ReadonlySet<UnitFeature>;
  template?: string;
}

export type InstallResult =
  | { action: 'created' | 'updated' | 'unchanged'; path: string; unit: string; diff: string | null }
  | { action: 'would-create' | 'would-update'; path: string; unit: string; diff: string | null };

export function installUnit(o: InstallOptions): InstallResult {
  const template = o.template ?? readFileSync(join(packageRoot(), 'config', 'oomwatch.service'), 'utf8');
  const unit = renderUnit(template, { execStart: o.execStart, features: o.features });
  const path = join(resolve(o.root), UNIT_PATH);
  const old = existsSync(path) ? readFileSync(path, 'utf8') : null;
  const diff = old === null || old === unit ? null : diffLines(old, unit);
  if (old === unit) return { action: 'unchanged', path, unit, diff };
  if (o.dryRun) return { action: old === null ? 'would-create' : 'would-update', path, unit, diff };
  writeUnitFile(path, unit);
  return { action: old === null ? 'created' : 'updated', path, unit, diff };
}

const NEXT_STEP = 'systemctl daemon-reload && systemctl enable --now oomwatch';

export function registerServiceCommand(program: Command, io: CliIo): void {
  const service = program.command('service').description('Install oomwatch as a systemd service.');
  service
    .command('install')
    .description(`Write ${'/' + UNIT_PATH} (atomically), then print the systemctl step to enable it.`)
    .option('--root <dir>', 'install under this root instead of / (images, chroots, tests)', '/')
    .option('--dry-run', 'print the unit, or its diff against the installed one, and write nothing')
    .option(
      '--bin <path>',
      'absolute path of the oomwatch binary for ExecStart (default: this one when installed, else oomwatch on PATH, else node + this bin.js)',
    )
    .option('--no-kmsg', 'leave out CAP_SYSLOG (for kernel.enabled: false)')
    .option('--no-protection', 'leave out CAP_SYS_RESOURCE and CAP_DAC_OVERRIDE (no policy rules protect processes)')
    .action((opts: { root: string; dryRun?: boolean; bin?: string; kmsg: boolean; protection: boolean }) => {
      const execStart = resolveExecStart({
        bin: opts.bin,
        argv1: process.argv[1] ?? '',
        execPath: process.execPath,
        pathEnv: io.env.PATH,
        exists: existsSync,
        realpath: realpathSync,
      });
      const features = new Set<UnitFeature>([...(opts.kmsg ? ['kmsg' as const] : []), ...(opts.protection ? ['protection' as const] : [])]);
      const r = installUnit({ root: opts.root, dryRun: Boolean(opts.dryRun), execStart, features });
      switch (r.action) {
        case 'would-create':
          io.out(`# ${r.path} does not exist; --dry-run would write:\n${r.unit}`);
          return;
        case 'would-update':
          io.out(`# ${r.path} differs; --dry-run would change it (- installed, + new):\n${r.diff}`);
          return;
        case 'unchanged':
          io.out(`${r.path} is already up to date.`);
          return;
        default: {
          io.out(`${r.action === 'created' ? 'Wrote' : 'Updated'} ${r.path} (ExecStart=${execStart}).`);
          const configPath = join(resolve(opts.root), 'etc/oomwatch/config.yaml');
          if (!existsSync(configPath)) {
            io.out(`No ${configPath} yet: the agent will start with the embedded defaults (docs/install.md shows a config).`);
          }
          io.out(`Next: ${NEXT_STEP}`);
        }
      }
    });
}
