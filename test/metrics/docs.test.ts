/**
 * Keeps docs/metrics.md and docs/fleet.md true to the code: every exported metric is documented (and
 * nothing documented is missing), and every Prometheus/Alertmanager config block marked
 * `<!-- checked by test/metrics/docs.test.ts with TOOL ARGS -->` passes that tool's own checker.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBinary, requireInCi } from './daemon.js';
import { exampleExposition } from '../deploy/exported-metrics.js';

const DOCS = join(import.meta.dirname, '..', '..', 'docs');
const promtool = findBinary(['promtool']);
const amtool = findBinary(['amtool']);
requireInCi(promtool, 'promtool (Debian package prometheus)');
requireInCi(amtool, 'amtool (Debian package prometheus-alertmanager)');

interface CheckedBlock {
  doc: string;
  tool: string;
  args: string[];
  yaml: string;
}

function checkedBlocks(doc: string): CheckedBlock[] {
  const text = readFileSync(join(DOCS, doc), 'utf8');
  const re = /<!-- checked by test\/metrics\/docs\.test\.ts with (\S+) ([^>]*?) -->\n```yaml\n([\s\S]*?)```/g;
  return [...text.matchAll(re)].map((m) => ({ doc, tool: m[1], args: m[2].split(' '), yaml: m[3] }));
}

const blocks = [...checkedBlocks('metrics.md'), ...checkedBlocks('fleet.md')];

describe('docs/metrics.md', () => {
  it('documents exactly the oomwatch metrics the agent exports', async () => {
    const exported = new Set(
      [...(await exampleExposition()).matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]).filter((n) => !/^oomwatch_(process|nodejs)_/.test(n)),
    );
    const table = readFileSync(join(DOCS, 'metrics.md'), 'utf8').split('## Scrape config')[0];
    const documented = new Set([...table.matchAll(/^\| `(oomwatch_[a-z_]+)` \|/gm)].map((m) => m[1]));
    expect([...documented].sort()).toEqual([...exported].sort());
  });

  it('has the checked config blocks it promises', () => {
    expect(blocks.map((b) => `${b.doc}: ${b.tool} ${b.args.join(' ')}`)).toEqual([
      'metrics.md: promtool check config',
      'fleet.md: promtool check config',
      'fleet.md: promtool check rules',
      'fleet.md: amtool check-config',
    ]);
  });

  for (const b of blocks) {
    const tool = b.tool === 'promtool' ? promtool : b.tool === 'amtool' ? amtool : null;
    it.skipIf(!tool)(`${b.doc}: the ${b.args.join(' ')} block passes ${b.tool} (skipped only where ${b.tool} is not installed)`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'oomwatch-docs-'));
      try {
        const file = join(dir, 'block.yml');
        writeFileSync(file, b.yaml);
        const r = spawnSync(tool!, [...b.args, file], { encoding: 'utf8' });
        expect({ status: r.status, output: r.status === 0 ? '' : r.stdout + r.stderr }).toEqual({ status: 0, output: '' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
