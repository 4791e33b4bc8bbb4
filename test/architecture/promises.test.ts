/**
 * Every store call is asynchronous, so a promise nobody waits for is a write that may not be part
 * of its transaction, a check that is always true, or a failure nobody hears of. The type checker
 * does not see these; this test does, over the sources (not the tests):
 *
 * - a statement that makes a promise and drops it (write `await`, or `void` where firing and
 *   forgetting is meant and the promise handles its own failure);
 * - an array method given a callback that returns a promise (`.filter(async …)` keeps everything,
 *   `.map(async …)` runs them all at once and its result is promises);
 * - a promise-returning callback where the caller expects nothing back (an event handler, a timer):
 *   its failure would be an unhandled rejection.
 */
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SOURCES = ['src/', 'handlers/', 'schedules/', 'store/'];
const ARRAY_METHODS = new Set(['map', 'filter', 'some', 'every', 'find', 'findIndex', 'findLast', 'forEach', 'reduce', 'sort', 'flatMap']);

function findings(program: ts.Program, only: (file: string) => boolean): string[] {
  const checker = program.getTypeChecker();
  const thenable = (t: ts.Type | undefined): boolean => {
    if (!t) return false;
    if (t.isUnion()) return t.types.some(thenable);
    if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return false;
    return Boolean(t.getProperty('then')) && /^Promise</.test(checker.typeToString(t));
  };
  const returnsPromise = (fn: ts.SignatureDeclaration) => {
    const sig = checker.getSignatureFromDeclaration(fn);
    return Boolean(sig && thenable(checker.getReturnTypeOfSignature(sig)));
  };
  const out: string[] = [];
  for (const sf of program.getSourceFiles()) {
    const file = relative(ROOT, sf.fileName).replaceAll('\\', '/');
    if (sf.isDeclarationFile || !only(file)) continue;
    const at = (n: ts.Node) => `${file}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`;
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n)) {
        const callee = n.expression;
        const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
        for (const a of n.arguments) {
          if (!(ts.isArrowFunction(a) || ts.isFunctionExpression(a)) || !returnsPromise(a)) continue;
          const receiver = ts.isPropertyAccessExpression(callee) ? checker.getTypeAtLocation(callee.expression) : undefined;
          const onArray = receiver !== undefined && (checker.isArrayType(receiver) || checker.isTupleType(receiver) || /\[\]$/.test(checker.typeToString(receiver)));
          const awaitedAll = ts.isCallExpression(n.parent) && /^Promise\.(all|allSettled)$/.test(n.parent.expression.getText(sf));
          if (ARRAY_METHODS.has(name) && onArray) {
            if (!(name === 'map' && awaitedAll)) out.push(`${at(a)} async callback of .${name}()`);
            continue;
          }
          const sigs = checker.getContextualType(a)?.getCallSignatures() ?? [];
          if (sigs.length > 0 && sigs.every((s) => checker.getReturnTypeOfSignature(s).flags & ts.TypeFlags.Void)) {
            out.push(`${at(a)} promise-returning callback given to ${name || 'a call'}(), which expects nothing back`);
          }
        }
      }
      if (ts.isExpressionStatement(n) && thenable(checker.getTypeAtLocation(n.expression))) {
        const e = n.expression;
        const chained = ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && ['then', 'catch', 'finally'].includes(e.expression.name.text);
        const assigned = ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken;
        if (!ts.isAwaitExpression(e) && !ts.isVoidExpression(e) && !chained && !assigned) out.push(`${at(n)} promise dropped: ${e.getText(sf).slice(0, 60)}`);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out;
}

function projectProgram(): ts.Program {
  const cfg = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const roots = cfg.fileNames.filter((f) => SOURCES.some((p) => relative(ROOT, f).replaceAll('\\', '/').startsWith(p)));
  return ts.createProgram({ rootNames: roots, options: { ...cfg.options, noEmit: true } });
}

/** A program of one file written here, type-checked against the real lib. */
function programOf(text: string): ts.Program {
  const file = join(ROOT, 'src', 'planted.ts');
  const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, strict: true, noEmit: true, lib: ['lib.es2022.d.ts'], types: [] };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) => (name === file ? ts.createSourceFile(name, text, lang) : read(name, lang, ...rest));
  host.fileExists = ((exists) => (name: string) => name === file || exists(name))(host.fileExists.bind(host));
  return ts.createProgram({ rootNames: [file], options, host });
}

describe('promises', () => {
  it('are awaited, or explicitly left to settle on their own', () => {
    expect(findings(projectProgram(), (f) => SOURCES.some((p) => f.startsWith(p)))).toEqual([]);
  }, 60_000);

  it('catches a dropped promise, an async array callback and an async void callback', () => {
    const planted = programOf(
      [
        'declare function save(): Promise<void>;',
        'declare function later(fn: () => void): void;',
        'export async function f(xs: number[]) {',
        '  save();',
        '  void save();',
        '  await save();',
        '  const kept = xs.filter(async (x) => x > 1);',
        '  await Promise.all(xs.map(async () => save()));',
        '  later(async () => save());',
        '  later(() => void save());',
        '  return kept;',
        '}',
      ].join('\n'),
    );
    expect(findings(planted, (f) => f === 'src/planted.ts')).toEqual([
      'src/planted.ts:4 promise dropped: save()',
      'src/planted.ts:7 async callback of .filter()',
      'src/planted.ts:9 promise-returning callback given to later(), which expects nothing back',
    ]);
  });
});
