import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ruleSchema } from '../../src/rules/config.js';
import { RULE_KIND_SPECS, RULE_KINDS, type KeyedByKind } from '../../src/rules/kinds/index.js';
import { psiKind } from '../../src/rules/kinds/psi.js';
import { swapUsedKind } from '../../src/rules/kinds/swap-used.js';
import { packageRoot } from '../../src/util/package-root.js';

describe('the registry of rule kinds', () => {
  it('files each spec under its schema kind, and a spec under another name fails the build', () => {
    // Checked by tsc (npm test builds first): the psi key must hold the psi spec.
    // @ts-expect-error swap-used's spec filed as psi
    const misfiled: KeyedByKind<{ psi: typeof swapUsedKind }> = { psi: swapUsedKind };
    const filed: KeyedByKind<{ psi: typeof psiKind }> = { psi: psiKind };
    expect([misfiled, filed].map((m) => Object.values(m)[0].schema.shape.kind.value)).toEqual(['swap-used', 'psi']);
    for (const kind of RULE_KINDS) expect(RULE_KIND_SPECS[kind].schema.shape.kind.value).toBe(kind);
  });

  it('gives the rules: schema every kind, and names them all when the kind is wrong', () => {
    const r = ruleSchema.safeParse({ id: 'x', kind: 'no-such-kind' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toBe(`unknown or missing rule kind; expected one of ${RULE_KINDS.join(', ')}`);
    expect(RULE_KINDS).toEqual([
      'process-risk',
      'risk-rising',
      'rss-growth',
      'protected-next-victim',
      'host-memory-available',
      'swap-used',
      'psi',
      'cgroup-usage',
      'cgroup-memory-events',
      'time-to-oom',
      'oom-kill',
      'agent-health',
    ]);
  });

  it('matches the kinds documented in docs/rules.md', () => {
    const doc = readFileSync(join(packageRoot(), 'docs/rules.md'), 'utf8');
    const table = doc.slice(doc.indexOf('## Kinds'), doc.indexOf('\n\n', doc.indexOf('| kind |')));
    const documented = [...table.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
    expect(documented).toEqual(RULE_KINDS);
  });
});
