import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_RULES } from '../../src/rules/defaults.js';
import { runCliInProcess } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';

// The real values: none of them may appear in any output.
const SLACK_URL = 'https://hooks.slack.com/services/T0SHOWTEST/B0SHOWTEST/slackWebhookSecret42';
const SMTP_PASSWORD = 'smtp-Pa55word-inline-secret';
const ENV_URL = 'https://hooks.example.com/env-resolved-secret-path';
const ENV_TOKEN = 'Bearer env-token-secret-value';
const FILE_TOKEN = 'file-token-secret-value';
const AM_PASSWORD = 'am-url-password-secret';
const HEADER_VALUE = 'inline-header-secret-value';
const SECRETS = [
  SLACK_URL,
  'slackWebhookSecret42',
  SMTP_PASSWORD,
  ENV_URL,
  'env-resolved-secret-path',
  ENV_TOKEN,
  'env-token-secret-value',
  FILE_TOKEN,
  AM_PASSWORD,
  HEADER_VALUE,
];
const ENV = { OOMWATCH_SHOW_HOOK_URL: ENV_URL, OOMWATCH_SHOW_TOKEN: ENV_TOKEN };

const riskId = DEFAULT_RULES.find((r) => r.kind === 'process-risk')!.id as string;
const swapId = DEFAULT_RULES.find((r) => r.kind === 'swap-used')!.id as string;

let tmp: ReturnType<typeof makeTempDir>;
let configPath: string;
let tokenFile: string;

beforeEach(() => {
  tmp = makeTempDir('oomwatch-config-show-');
  configPath = join(tmp.dir, 'config.yaml');
  tokenFile = join(tmp.dir, 'token');
  writeFileSync(tokenFile, `${FILE_TOKEN}\n`, { mode: 0o600 });
  writeFileSync(
    configPath,
    [
      'channels:',
      `  ops-slack: {type: slack, webhookUrl: ${JSON.stringify(SLACK_URL)}}`,
      '  oncall-mail:',
      '    type: email',
      '    host: smtp.example.com',
      '    port: 465',
      `    auth: {user: oomwatch@example.com, password: ${JSON.stringify(SMTP_PASSWORD)}}`,
      '    from: oomwatch@example.com',
      '    to: [oncall@example.com]',
      '  hook:',
      '    type: webhook',
      '    url: {env: OOMWATCH_SHOW_HOOK_URL}',
      `    headers: {Authorization: {env: OOMWATCH_SHOW_TOKEN}, X-Token: {file: ${JSON.stringify(tokenFile)}}}`,
      '  am:',
      '    type: alertmanager',
      `    url: http://admin:${AM_PASSWORD}@127.0.0.1:9093`,
      `    headers: {X-Scope-OrgID: ${JSON.stringify(HEADER_VALUE)}}`,
      'rules:',
      `  - {id: ${riskId}, above: 900, clearBelow: 850}`,
      `  - {id: ${swapId}, enabled: false}`,
      '  - {id: db-leak, kind: rss-growth, bytesPerSecond: 4MiB, scope: {unit: postgresql.service}}',
    ].join('\n'),
  );
});
afterEach(() => tmp.cleanup());

const expectNoSecret = (text: string) => {
  for (const s of SECRETS) expect(text).not.toContain(s);
};

describe('oomwatch config show', () => {
  it('prints the effective config as YAML: the merged rules, and secret references instead of values', async () => {
    const r = await runCliInProcess(['config', 'show', '--config', configPath], ENV);
    expect(r.code).toBe(0);
    expectNoSecret(r.stdout + r.stderr);
    const shown = parse(r.stdout) as {
      rules: { id: string; kind: string; above?: number; clearBelow?: number }[];
      channels: Record<string, Record<string, unknown>>;
    };
    expect(shown.rules.map((x) => x.id)).toEqual([...DEFAULT_RULES.map((x) => String(x.id)).filter((id) => id !== swapId), 'db-leak']);
    expect(shown.rules.find((x) => x.id === riskId)).toMatchObject({ kind: 'process-risk', above: 900, clearBelow: 850 });
    expect(shown.rules.find((x) => x.id === 'db-leak')).toMatchObject({ kind: 'rss-growth', bytesPerSecond: 4 * 1024 * 1024 });
    expect(shown.channels['ops-slack'].webhookUrl).toBe('[redacted]');
    expect(shown.channels['oncall-mail'].auth).toEqual({ user: 'oomwatch@example.com', password: '[redacted]' });
    expect(shown.channels.hook.url).toEqual({ env: 'OOMWATCH_SHOW_HOOK_URL' });
    expect(shown.channels.hook.headers).toEqual({ Authorization: { env: 'OOMWATCH_SHOW_TOKEN' }, 'X-Token': { file: tokenFile } });
    expect(shown.channels.am).toMatchObject({ url: 'http://[redacted]@127.0.0.1:9093', headers: { 'X-Scope-OrgID': '[redacted]' } });
    // Says where each rule came from, and what the numbers are.
    expect(r.stdout).toContain(`# Effective configuration from ${configPath}`);
    expect(r.stdout).toContain(`# default rule, changed by rules.0\n  - id: ${riskId}`);
    expect(r.stdout).toContain('# added by rules.2\n  - id: db-leak');
    expect(r.stdout).toContain(`default turned off: ${swapId} (rules.1)`);
    expect(r.stdout).toContain('Durations are in milliseconds');
  });

  it('--json prints the oomwatch.config/v1 document with the same rules and no secret value', async () => {
    const r = await runCliInProcess(['config', 'show', '--config', configPath, '--json'], ENV);
    expect(r.code).toBe(0);
    expectNoSecret(r.stdout + r.stderr);
    const doc = JSON.parse(r.stdout);
    expect(doc.schema).toBe('oomwatch.config/v1');
    expect(doc.source).toBe(configPath);
    expect(doc.warnings).toEqual([]);
    expect(doc.ruleOrigins.disabled).toEqual([{ id: swapId, path: 'rules.1' }]);
    expect(doc.ruleOrigins.sources.filter((s: { origin: string }) => s.origin !== 'default')).toEqual([
      { id: riskId, origin: 'changed', path: 'rules.0' },
      { id: 'db-leak', origin: 'added', path: 'rules.2' },
    ]);
    expect(doc.config.rules).toHaveLength(DEFAULT_RULES.length - 1 + 1); // one default off, one added
    expect(doc.config.channels.hook.headers.Authorization).toEqual({ env: 'OOMWATCH_SHOW_TOKEN' });
  });

  it('names the file, the entry and the key of a bad config, and exits 78', async () => {
    writeFileSync(configPath, `rules:\n  - {id: ${riskId}, above: 2000}\n`);
    const bad = await runCliInProcess(['config', 'show', '--config', configPath]);
    expect(bad.code).toBe(78);
    expect(bad.stderr).toContain(`Invalid configuration in ${configPath}`);
    expect(bad.stderr).toContain(`rules.0.above: rule "${riskId}"`);
  });
});
