/**
 * The two boundaries of docs/architecture.md that are not imports (dependency-cruiser checks those, `npm run lint`):
 * only cli/ prints or exits, and only the /proc gateway builds /proc paths. Read from the syntax tree of every file
 * under src/, so comments and words in messages do not count, and a path built in a template string does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

interface Hit {
  file: string;
  line: number;
  text: string;
}

function sourceFiles(): string[] {
  return readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => relative(ROOT, join(SRC, f)).split('\\').join('/'))
    .sort();
}

let parsed: ts.SourceFile[] | null = null;
/** The syntax trees of src/, parsed once for all the checks. */
const parsedSources = (): ts.SourceFile[] =>
  (parsed ??= sourceFiles().map((file) => ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true)));

/** Every node of every file under src/ that `match` picks, with the text it reports. */
function scan(match: (node: ts.Node) => string | null): Hit[] {
  const hits: Hit[] = [];
  for (const sf of parsedSources()) {
    const file = sf.fileName;
    const visit = (node: ts.Node): void => {
      const text = match(node);
      if (text !== null) hits.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, text });
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return hits;
}

const allowed = (hits: Hit[], exceptions: Record<string, string>, under: RegExp) =>
  hits.filter(
    (h) => !under.test(h.file) && !Object.keys(exceptions).some((p) => h.file === p || (p.endsWith('/') && h.file.startsWith(p))),
  );

/** `console.*`, `process.exit`, `process.exitCode` and direct writes to stdout/stderr. */
const printsOrExits = (node: ts.Node): string | null => {
  if (!ts.isPropertyAccessExpression(node)) return null;
  const text = node.getText();
  return /^(console\.\w+|process\.exit(Code)?|process\.(stdout|stderr)\.write)$/.test(text) ? text : null;
};

/** A string or the head of a template string that is `/proc` or a path under it. */
const procPath = (node: ts.Node): string | null =>
  (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node)) && /^\/proc(\/|$)/.test(node.text)
    ? node.text
    : null;

/** Files outside cli/ that may print, each with its reason. */
const PRINT_EXCEPTIONS: Record<string, string> = {
  'src/notify/console.ts': 'the console channel: writing the notification to stderr is what it delivers',
  'src/agent/modules.ts': "wires the console channel's writer (stderr) when the agent builds the notifiers",
};

/** Files besides the gateways that may hold a /proc literal, each with its reason. */
const PROC_EXCEPTIONS: Record<string, string> = {
  'src/sample/parse/': 'parse errors name the /proc file whose text they could not read; the parsers get text, not paths',
  'src/sample/config.ts': 'the default of sample.procRoot, the root handed to the gateway (not opened here)',
};

describe('only cli/ prints or exits', () => {
  it('no console.*, process.exit or stdout/stderr write outside src/cli/ (except the listed ones)', () => {
    const hits = scan(printsOrExits);
    expect(hits.filter((h) => h.file.startsWith('src/cli/')).length).toBeGreaterThan(0); // the scan finds the CLI's own
    expect(allowed(hits, PRINT_EXCEPTIONS, /^src\/cli\//)).toEqual([]);
  });
});

describe('only the /proc gateway builds /proc paths', () => {
  it('no /proc path literal outside src/sample/procfs.ts, src/sample/cgroupfs.ts and cli/ (except the listed ones)', () => {
    const hits = scan(procPath);
    expect(hits.some((h) => h.file === 'src/sample/procfs.ts')).toBe(true); // the gateway's own default root
    expect(allowed(hits, PROC_EXCEPTIONS, /^src\/(sample\/(procfs|cgroupfs)\.ts$|cli\/)/)).toEqual([]);
  });
});

describe('the scanners', () => {
  const find = (code: string, match: (n: ts.Node) => string | null): string[] => {
    const sf = ts.createSourceFile('x.ts', code, ts.ScriptTarget.ES2022, true);
    const out: string[] = [];
    const visit = (n: ts.Node): void => {
      const t = match(n);
      if (t !== null) out.push(t);
      ts.forEachChild(n, visit);
    };
    visit(sf);
    return out;
  };

  it('see calls and paths, not comments or words in messages', () => {
    expect(find("// console.log('x')\nconsole.error('y'); process.exit(1); process.stdout.write('z');", printsOrExits)).toEqual([
      'console.error',
      'process.exit',
      'process.stdout.write',
    ]);
    expect(
      find("/* '/proc/1' */ readFileSync(`/proc/${pid}/stat`); join('/proc', 'self'); throw new Error('see /proc');", procPath),
    ).toEqual(['/proc/', '/proc']);
  });
});
