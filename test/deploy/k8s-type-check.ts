/**
 * The type half of the manifest check (test/deploy/k8s-schema.ts): each document becomes an in-memory module
 * `import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet'; export const doc: IDaemonSet = {…};`
 * and all of them are type-checked in one Program (declaration files parsed once per process and not checked,
 * nothing emitted). The compiler reports wrong types and missing required fields; unknown fields are found by
 * walking each object literal against its contextual type, at every depth — the compiler's own excess-property
 * error names only one field of a literal, and none where a deeper field already failed.
 */
import { join } from 'node:path';
import ts from 'typescript';

/** A document and the module and interface name of its kind's TypeScript type. */
export interface TypedDocument {
  doc: unknown;
  typeModule: string;
  typeName: string;
}

/** A problem in document `index` at a field path such as `spec.template.spec.containers[0].name`. */
export interface TypeProblem {
  index: number;
  path: string;
  message: string;
}

const COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2022.d.ts'],
  types: [],
};
// The compiler's "Object literal may only specify known properties" (with and without a suggestion): the walk reports these.
const EXCESS_PROPERTY = new Set([2353, 2561]);
const ROOT = join(import.meta.dirname, '..', '..');
// Declaration files parsed once per test process, shared by every Program built here.
const parsedLibs = new Map<string, ts.SourceFile | undefined>();

export function typeProblems(documents: TypedDocument[]): TypeProblem[] {
  const sources = new Map<string, { index: number; text: string }>();
  documents.forEach(({ doc, typeModule, typeName }, index) => {
    const text = `import type { ${typeName} } from '${typeModule}';\nexport const doc: ${typeName} = ${literal(doc, '')};\n`;
    // Under the project root, so the packages resolve from its node_modules; never written to disk.
    sources.set(join(ROOT, 'deploy', 'kubernetes', `.type-check-${index}.mts`), { index, text });
  });
  const host = ts.createCompilerHost(COMPILER_OPTIONS);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => sources.has(f) || fileExists.call(host, f);
  host.readFile = (f) => sources.get(f)?.text ?? readFile.call(host, f);
  host.getSourceFile = (fileName, languageVersion, onError) => {
    const source = sources.get(fileName);
    if (source) return ts.createSourceFile(fileName, source.text, languageVersion, true);
    if (!parsedLibs.has(fileName)) parsedLibs.set(fileName, getSourceFile.call(host, fileName, languageVersion, onError));
    return parsedLibs.get(fileName);
  };
  const program = ts.createProgram([...sources.keys()], COMPILER_OPTIONS, host);
  const global = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  if (global.length) throw new Error(ts.formatDiagnostics(global, host));
  const checker = program.getTypeChecker();
  return [...sources].flatMap(([fileName, { index }]) => {
    const sf = program.getSourceFile(fileName)!;
    const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]
      .filter((d) => !EXCESS_PROPERTY.has(d.code))
      .flatMap((d) => {
        const at = d.start === undefined ? '' : pathAt(sf, d.start);
        return diagnosticMessages(ts.flattenDiagnosticMessageText(d.messageText, ' ')).map(({ field, message }) => ({
          index,
          path: field ? (at ? `${at}.${field}` : field) : at,
          message,
        }));
      });
    const initializer = sf.statements.filter(ts.isVariableStatement)[0]?.declarationList.declarations[0].initializer;
    const unknown = initializer ? unknownFields(checker, initializer, '').map((u) => ({ index, ...u })) : [];
    return [...unknown, ...diagnostics];
  });
}

/** A value as a TypeScript literal: JSON, with keys that are identifiers unquoted. */
function literal(value: unknown, indent: string): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) return value.length ? `[\n${value.map((v) => inner + literal(v, inner)).join(',\n')}\n${indent}]` : '[]';
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(
      ([k, v]) => `${inner}${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${literal(v, inner)}`,
    );
    return entries.length ? `{\n${entries.join(',\n')}\n${indent}}` : '{}';
  }
  return JSON.stringify(value);
}

const propertyName = (p: ts.PropertyAssignment) => (ts.isStringLiteral(p.name) || ts.isIdentifier(p.name) ? p.name.text : p.name.getText());

/** Every field of the literal that its contextual type does not declare (an index signature declares any). */
function unknownFields(checker: ts.TypeChecker, node: ts.Expression, path: string): { path: string; message: string }[] {
  if (ts.isArrayLiteralExpression(node)) return node.elements.flatMap((e, i) => unknownFields(checker, e, `${path}[${i}]`));
  if (!ts.isObjectLiteralExpression(node)) return [];
  const contextual = checker.getContextualType(node);
  const nonNull = contextual && checker.getNonNullableType(contextual);
  const types = (nonNull?.isUnion() ? nonNull.types : nonNull ? [nonNull] : []).filter(
    (t) => t.flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection),
  );
  const declares = (name: string) => types.some((t) => checker.getPropertyOfType(t, name) || checker.getIndexInfosOfType(t).length > 0);
  return node.properties.filter(ts.isPropertyAssignment).flatMap((p) => {
    const name = propertyName(p);
    const at = path ? `${path}.${name}` : name;
    if (types.length === 0 || declares(name)) return unknownFields(checker, p.initializer, at);
    const symbol = types[0].aliasSymbol ?? types[0].getSymbol();
    const where = symbol && !symbol.name.startsWith('__') ? symbol.name : 'its type';
    const known = types.flatMap((t) => checker.getPropertiesOfType(t).map((s) => s.name));
    const near = closest(name, known);
    return [{ path: at, message: `unknown field '${name}', not in ${where}${near ? `; did you mean '${near}'?` : ''}` }];
  });
}

/** The known name a misspelling most likely meant: the same but for case, or at most 2 edits away. */
function closest(name: string, known: string[]): string | undefined {
  const sameCase = known.find((k) => k.toLowerCase() === name.toLowerCase());
  if (sameCase) return sameCase;
  const scored = known.map((k) => ({ k, d: editDistance(name, k) })).filter(({ d }) => d <= 2);
  return scored.sort((a, b) => a.d - b.d)[0]?.k;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/**
 * A compiler message in the schema check's words: a missing property as the missing field's path (one problem per
 * field), anonymous object types left out of the text.
 */
function diagnosticMessages(text: string): { field?: string; message: string }[] {
  const one = /^Property '"?([^'"]+)"?' is missing in type .* but required in type '([^']+)'\.$/.exec(text);
  if (one) return [{ field: one[1], message: `required field is missing (${one[2]})` }];
  const many = /^Type .* is missing the following properties from type '([^']+)': (.*)$/.exec(text);
  if (many) {
    const fields = many[2]
      .replace(/,? and \d+ more\.?$/, '')
      .replace(/\.$/, '')
      .split(', ');
    return fields.map((f) => ({ field: f.replace(/^"|"$/g, ''), message: `required field is missing (${many[1]})` }));
  }
  return [{ message: text.replace(/ type '\{.{40,}?\}'/g, ' its type') }];
}

/** The field path in the literal of `doc` at a source position. */
function pathAt(sf: ts.SourceFile, pos: number): string {
  const contains = (n: ts.Node) => n.getStart(sf) <= pos && pos < n.getEnd();
  let node: ts.Node | undefined = sf.statements.filter(ts.isVariableStatement)[0]?.declarationList.declarations[0].initializer;
  let path = '';
  while (node) {
    let next: ts.Node | undefined;
    if (ts.isObjectLiteralExpression(node)) {
      const p = node.properties.find(contains);
      if (p && ts.isPropertyAssignment(p)) {
        path = path ? `${path}.${propertyName(p)}` : propertyName(p);
        next = p.initializer;
      }
    } else if (ts.isArrayLiteralExpression(node)) {
      const i = node.elements.findIndex(contains);
      if (i >= 0) {
        path = `${path}[${i}]`;
        next = node.elements[i];
      }
    }
    node = next;
  }
  return path;
}
