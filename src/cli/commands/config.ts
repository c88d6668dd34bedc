/**
 * `oomwatch config show [--config FILE] [--json]`: the configuration the agent would run with, after
 * defaults, the rule merge and normalisation, with every secret hidden. YAML by default; --json prints
 * the `oomwatch.config/v1` document (docs/json.md).
 */
import type { Command } from 'commander';
import { effectiveConfigDocument } from '../../config/effective.js';
import { loadCommandConfig, printJson } from '../common.js';
import type { CliIo } from '../io.js';
import { renderConfigYaml } from '../render/config-yaml.js';
import type { ConfigJson } from '../json/config.js';

export function registerConfig(program: Command, io: CliIo): void {
  const config = program.command('config').description('Inspect the configuration');
  config
    .command('show')
    .description('Print the effective configuration (defaults applied, rules merged, secrets hidden)')
    .option('--config <file>', 'configuration file (default: $OOMWATCH_CONFIG, then /etc/oomwatch/config.yaml)')
    .option('--json', 'print the oomwatch.config/v1 JSON document')
    .action((opts: { config?: string; json?: boolean }) => {
      const doc: ConfigJson = effectiveConfigDocument(loadCommandConfig(io, opts.config));
      if (opts.json) printJson(io, doc);
      else io.out(renderConfigYaml(doc));
    });
}
