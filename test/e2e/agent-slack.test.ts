/**
 * End to end: the agent with a real config, a real process on the real /proc that raises its own
 * oom_score_adj to 1000, and a real HTTP server standing in for Slack's webhook endpoint.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { startHttpSink } from '../helpers/http-sink.js';
import { makeTempDir } from '../helpers/tmp.js';

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

const textOf = (body: unknown) => JSON.stringify(body);

describe('agent → Slack', () => {
  it('posts one firing alert naming the risky process, then one "exited" resolution', async () => {
    const sink = await startHttpSink();
    const cfg = join(tmp.dir, 'slack.yaml');
    writeFileSync(
      cfg,
      [
        'agent: {logLevel: warn}',
        'sample: {interval: 300ms, keyframeEvery: 1m}',
        'kernel: {enabled: false}',
        'channels:',
        `  team-slack: {type: slack, webhookUrl: ${JSON.stringify(sink.url)}}`,
        'alerting: {groupWait: 0s, groupInterval: 1s, repeatInterval: 1h, vanishWaitTicks: 2}',
        'rules:',
        '  replaceDefaults: true',
        '  list:',
        '  - {id: risky, kind: process-risk, severity: warning, above: 900, clearBelow: 800, for: 0s, scope: {name: e2e-risky}}',
      ].join('\n'),
    );
    const agent = spawn(process.execPath, [CLI, 'run', '--config', cfg, '--db', join(tmp.dir, 'slack.db')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    agent.stderr.on('data', (d) => (stderr += d));
    const risky = spawn('python3', ['-c', [
      'import ctypes, time',
      'ctypes.CDLL(None).prctl(15, b"e2e-risky", 0, 0, 0)',
      "open('/proc/self/oom_score_adj', 'w').write('1000')",
      'time.sleep(600)',
    ].join('\n')], { stdio: 'ignore' });
    try {
      const [firing] = await sink.waitFor(1, 20_000);
      expect(textOf(firing.body)).toContain('e2e-risky');
      expect(textOf(firing.body)).toContain(`pid ${risky.pid}`);
      expect(textOf(firing.body)).toMatch(/firing/i);
      expect(firing.body).not.toHaveProperty('link_names');

      risky.kill('SIGKILL');
      await once(risky, 'exit');
      const [, resolved] = await sink.waitFor(2, 20_000);
      expect(textOf(resolved.body)).toContain('e2e-risky');
      expect(textOf(resolved.body)).toMatch(/exited/i);
      expect(textOf(resolved.body)).not.toMatch(/oom-killed/i);
      // nothing more: one firing, one resolution
      await new Promise((r) => setTimeout(r, 1500));
      expect(sink.requests.length).toBe(2);
    } finally {
      if (risky.exitCode === null && risky.signalCode === null) risky.kill('SIGKILL');
      agent.kill('SIGTERM');
      if (agent.exitCode === null) await once(agent, 'exit');
      await sink.close();
    }
    expect(agent.exitCode, stderr).toBe(0);
  });
});
