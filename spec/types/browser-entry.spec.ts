/**
 * Type test of `lomond/browser`: a browser project (moduleResolution bundler,
 * lib dom, `types: []`, skipLibCheck off) compiles against the browser
 * entry's own sources with no Node types at hand, and every Node-only option
 * is a compile error there (the fixture marks each with @ts-expect-error, so
 * an option that compiles fails this test as an unused directive).
 */
import { join, resolve } from 'node:path';
import * as ts from 'typescript';

const root = resolve(__dirname, '..', '..');
const fixture = (name: string): string => join(__dirname, 'fixtures', name);

/** The compiler options of a typical Vite/Angular browser project, with lomond's entries mapped to lib/. */
const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  types: [],
  skipLibCheck: false,
  noUnusedLocals: true,
  paths: { 'lomond/browser': [join(root, 'lib', 'browser.ts')] },
};

function diagnostics(program: ts.Program, file: string): string[] {
  return ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => {
    const where = d.file ? `${d.file.fileName.slice(root.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}

describe('lomond/browser types', () => {
  let program: ts.Program;
  beforeAll(() => {
    program = ts.createProgram([fixture('browser-app.ts'), fixture('browser-node-only.ts')], OPTIONS);
  });

  it('compile in a browser project without @types/node (types: [], skipLibCheck off)', () => {
    const global = ts.getPreEmitDiagnostics(program).filter((d) => d.file === undefined || !d.file.fileName.includes('fixtures'));
    expect(global.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '))).toEqual([]);
    expect(diagnostics(program, fixture('browser-app.ts'))).toEqual([]);
  });

  it('reach no node:* module through the entry (the whole closure is browser code)', () => {
    const nodeImports = program
      .getSourceFiles()
      .filter((file) => file.fileName.startsWith(join(root, 'lib')))
      .flatMap((file) => file.statements.filter(ts.isImportDeclaration).map((s) => [file.fileName, (s.moduleSpecifier as ts.StringLiteral).text] as const))
      .filter(([, specifier]) => specifier.startsWith('node:'));
    expect(nodeImports).toEqual([]);
    expect(program.getSourceFiles().some((file) => /@types[\\/]node/.test(file.fileName))).toBe(false);
  });

  it('make every Node-only option a compile error (each @ts-expect-error is used)', () => {
    expect(diagnostics(program, fixture('browser-node-only.ts'))).toEqual([]);
  });
});
