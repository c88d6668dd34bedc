import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENT_ENV, AGENT_NODE_FLAGS } from '../../src/agent/node-runtime.js';
import { packageRoot } from '../../src/util/package-root.js';

const root = packageRoot();

describe('the agent runtime flags', () => {
  it('are the ones npm start uses', () => {
    const start: string = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.start;
    const words = start.split(/\s+/);
    for (const flag of AGENT_NODE_FLAGS) expect(words).toContain(flag);
    for (const [k, v] of Object.entries(AGENT_ENV)) expect(words).toContain(`${k}=${v}`);
  });

  it('are the ones the systemd unit sets', () => {
    const unit = readFileSync(join(root, 'config', 'oomwatch.service'), 'utf8');
    const nodeOptions = /^Environment="NODE_OPTIONS=([^"]*)"$/m.exec(unit)?.[1].split(' ') ?? [];
    for (const flag of AGENT_NODE_FLAGS) expect(nodeOptions).toContain(flag);
    for (const [k, v] of Object.entries(AGENT_ENV)) expect(unit).toMatch(new RegExp(`^Environment=${k}=${v}$`, 'm'));
  });
});
