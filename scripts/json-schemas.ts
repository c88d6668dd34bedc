/**
 * Writes the JSON Schema of every `--json` document to docs/json/<name>.schema.json, from the zod schemas in
 * src/cli/json/. Run with `npm run json-schemas` after changing a document; test/cli/json-schemas.test.ts
 * fails while the files are out of date.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JSON_DOCUMENTS, jsonSchemaText } from '../src/cli/json/index.js';
import { packageRoot } from '../src/util/package-root.js';

const dir = join(packageRoot(), 'docs', 'json');
mkdirSync(dir, { recursive: true });
for (const doc of JSON_DOCUMENTS) {
  const file = join(dir, `${doc.name}.schema.json`);
  writeFileSync(file, jsonSchemaText(doc));
  process.stdout.write(`${file}\n`);
}
