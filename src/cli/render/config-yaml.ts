/**
 * `oomwatch config show` as YAML: the effective config with a header that says where it came from and
 * what the numbers mean, and a comment above each rule saying whether it is a default, changed or added.
 */
import { Document, type YAMLSeq } from 'yaml';
import { describeRuleOrigins, type EffectiveConfigDocument } from '../../config/effective.js';
import type { RuleSource } from '../../model/config-check.js';
import { sanitizeTerminal } from '../../util/escape.js';

export function renderConfigYaml(doc: EffectiveConfigDocument): string {
  const yaml = new Document(doc.config);
  // Comments cannot be escaped by YAML itself: keep each on one line.
  yaml.commentBefore = [
    ` Effective configuration from ${doc.source === 'embedded default' ? 'the embedded default (no config file)' : sanitizeTerminal(doc.source)}: defaults applied, rules merged, values normalised.`,
    ' Durations are in milliseconds and sizes in bytes. In a config file a bare number means seconds,',
    ' so write units (10s, 5m, 512MiB) if you copy values from here.',
    ' Secrets show their {file: …} or {env: …} reference, or [redacted] when written inline; never their value.',
    ` ${sanitizeTerminal(describeRuleOrigins(doc.ruleOrigins))}`,
  ].join('\n');
  const rules = yaml.get('rules', true) as YAMLSeq | undefined;
  rules?.items.forEach((node, i) => {
    const source = doc.ruleOrigins.sources[i];
    if (source && node && typeof node === 'object')
      (node as { commentBefore?: string }).commentBefore = ` ${sanitizeTerminal(ruleComment(source))}`;
  });
  return yaml.toString({ lineWidth: 0 });
}

function ruleComment(s: RuleSource): string {
  switch (s.origin) {
    case 'default':
      return 'default rule';
    case 'changed':
      return `default rule, changed by ${s.path}`;
    case 'replaced':
      return `default rule replaced by ${s.path} (another kind)`;
    case 'added':
      return `added by ${s.path}`;
  }
}
