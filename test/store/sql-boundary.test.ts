/**
 * Only src/store/ talks to SQLite: every other module gets the Store's repositories (src/store/store.ts).
 * The one other place with SQL is src/fleet/, whose statements go to the fleet's central PostgreSQL (not the
 * host's store, docs/fleet.md): SQL text is allowed there, SQLite is not.
 * This walks each source file's syntax tree, so a SQL statement is found in any string or template literal,
 * and a word like "select" in a message is not.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

/** SQL as oomwatch writes it: upper-case keywords in the shapes of its statements. */
const SQL_RE =
  /\bSELECT\b[\s\S]*\bFROM\b|\bINSERT\s+(?:OR\s+[A-Z]+\s+)?INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b|\bCREATE\s+(?:TABLE|INDEX)\b|\bPRAGMA\b|\bsqlite_master\b|\bWITH\s+\w+\s+AS\s*\(/;

/** What in one file breaks the boundary: "line: finding". */
export function sqlFindings(fileName: string, text: string): string[] {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const at = (node: ts.Node, what: string) => found.push(`${file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1}: ${what}`);
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      if (node.moduleSpecifier.text === 'better-sqlite3') at(node, 'imports better-sqlite3');
      const names =
        node.kind === ts.SyntaxKind.ImportDeclaration
          ? (node as ts.ImportDeclaration).importClause?.namedBindings
          : (node as ts.ExportDeclaration).exportClause;
      if (names && (ts.isNamedImports(names) || ts.isNamedExports(names))) {
        for (const el of names.elements)
          if (['Database', 'openDatabase'].includes((el.propertyName ?? el.name).text))
            at(el, `imports ${(el.propertyName ?? el.name).text}`);
      }
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0]) &&
      node.arguments[0].text === 'better-sqlite3'
    ) {
      at(node, 'imports better-sqlite3');
    } else if (
      ts.isPropertyAccessExpression(node) &&
      ts.isCallExpression(node.parent) &&
      node.parent.expression === node &&
      isSqliteCall(node)
    ) {
      at(node, `calls .${node.name.text}(`);
    } else if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node)
    ) {
      if (SQL_RE.test(node.text)) at(node, `SQL in a string: ${JSON.stringify(node.text.slice(0, 60))}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/**
 * `.prepare(` and `.pragma(` on anything are SQLite's; `.exec(` and `.transaction(` only on something named like
 * a database (RegExp#exec and store.transaction are fine).
 */
function isSqliteCall(call: ts.PropertyAccessExpression): boolean {
  if (call.name.text === 'prepare' || call.name.text === 'pragma') return true;
  if (call.name.text !== 'exec' && call.name.text !== 'transaction') return false;
  const target = call.expression;
  const name = ts.isIdentifier(target) ? target.text : ts.isPropertyAccessExpression(target) ? target.name.text : '';
  return /^(db|database|sqlite)$/i.test(name);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('the SQL boundary', () => {
  it('no file under src/ outside src/store/ imports better-sqlite3, prepares a statement or holds SQL', () => {
    const outside = sourceFiles(SRC).filter((f) => !relative(SRC, f).startsWith(`store/`));
    expect(outside.length).toBeGreaterThan(100);
    const postgres = (f: string) => relative(SRC, f).startsWith('fleet/');
    const findings = outside.flatMap((f) =>
      sqlFindings(f, readFileSync(f, 'utf8'))
        .filter((x) => !(postgres(f) && x.includes(': SQL in a string: ')))
        .map((x) => `${relative(ROOT, f)}:${x}`),
    );
    expect(findings).toEqual([]);
  });

  it('finds each kind of breach (so an empty list above means something)', () => {
    const breach = [
      "import type { Database } from 'better-sqlite3';",
      "import { openDatabase } from '../store/db.js';",
      'const n = db.prepare("SELECT COUNT(*) AS n FROM incident").get();',
      'const row = db.prepare(`INSERT OR IGNORE INTO gap (start_ms) VALUES (${x})`);',
      "db.pragma('wal_checkpoint(TRUNCATE)');",
      "const q = 'DELETE FROM outbox';",
      "ctx.db.exec('x');",
    ].join('\n');
    // line 1: the import and the name; lines 3 and 4: the call and the statement
    expect(sqlFindings('breach.ts', breach).map((f) => f.split(':')[0])).toEqual(['1', '1', '2', '3', '3', '4', '4', '5', '6', '7']);
  });

  it('leaves alone what only looks like SQL', () => {
    const fine = [
      'const m = /^oom_kill (\\d+)$/m.exec(text);',
      "throw new Error('select a channel from the list, then update the config');",
      'store.transaction(() => store.outbox.enqueue(drafts));',
      'const label = `${n} processes selected from ${m}`;',
    ].join('\n');
    expect(sqlFindings('fine.ts', fine)).toEqual([]);
  });
});
