/**
 * Who imports each exported value of the repository's .ts files: named imports, re-exports followed
 * to where the value is defined, and namespace or dynamic imports (which count for every export of
 * the module). Types are left out: a type exported for a public signature needs no importer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { packagePath } from '../../core/paths.js';
import { resolveImport, sourceFiles } from './imports.js';

/** `file#name` of an exported value -> the files that import it (its own file left out). */
export function valueExportUsers(root = packagePath()): Map<string, Set<string>> {
  const files = sourceFiles(root);
  const known = new Set(files);
  const values = new Map<string, Set<string>>();
  const reexports: { file: string; from: string; local: string; name: string }[] = [];
  const starred: { file: string; from: string }[] = [];
  const users = new Map<string, Set<string>>();
  const use = (key: string, by: string) => (users.get(key) ?? users.set(key, new Set()).get(key)!).add(by);
  const wholeModule: [string, string][] = [];

  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest);
    const own = new Set<string>();
    values.set(file, own);
    const target = (spec: ts.Expression | undefined) => (spec && ts.isStringLiteral(spec) ? resolveImport(file, spec.text, known) : undefined);
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node)) {
        const from = target(node.moduleSpecifier);
        const bindings = node.importClause?.namedBindings;
        if (from && node.importClause?.name) use(`${from}#default`, file);
        if (from && bindings && ts.isNamespaceImport(bindings)) wholeModule.push([from, file]);
        if (from && bindings && ts.isNamedImports(bindings)) for (const el of bindings.elements) use(`${from}#${(el.propertyName ?? el.name).text}`, file);
      } else if (ts.isExportDeclaration(node)) {
        const from = target(node.moduleSpecifier);
        if (node.exportClause && ts.isNamedExports(node.exportClause)) {
          for (const el of node.exportClause.elements) {
            if (!node.isTypeOnly && !el.isTypeOnly) own.add(el.name.text);
            if (from) reexports.push({ file, from, local: (el.propertyName ?? el.name).text, name: el.name.text });
          }
        } else if (from) starred.push({ file, from });
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const from = target(node.arguments[0]);
        if (from) wholeModule.push([from, file]);
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
        const from = target(node.argument.literal);
        if (from) wholeModule.push([from, file]);
      }
      // Only a dynamic import or an import type hides below the top level.
      if (text.includes('import(')) ts.forEachChild(node, visit);
    };
    for (const node of sf.statements) {
      visit(node);
      if (ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
        if (ts.isVariableStatement(node)) for (const d of node.declarationList.declarations) if (ts.isIdentifier(d.name)) own.add(d.name.text);
        if ((ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) || ts.isEnumDeclaration(node)) && node.name) own.add(node.name.text);
      }
    }
  }
  for (const [from, by] of wholeModule) for (const name of values.get(from) ?? []) use(`${from}#${name}`, by);
  // A value re-exported is used where it is defined: follow the chains until nothing changes.
  for (let changed = true; changed;) {
    changed = false;
    const links = [...reexports, ...starred.flatMap((s) => [...(values.get(s.from) ?? [])].map((name) => ({ ...s, local: name, name })))];
    for (const r of links) {
      for (const by of users.get(`${r.file}#${r.name}`) ?? []) {
        const key = `${r.from}#${r.local}`;
        if (users.get(key)?.has(by)) continue;
        use(key, by);
        changed = true;
      }
    }
  }
  const out = new Map<string, Set<string>>();
  for (const [file, own] of values) {
    for (const name of own) {
      if (reexports.some((r) => r.file === file && r.name === name)) continue;
      out.set(`${file}#${name}`, new Set([...(users.get(`${file}#${name}`) ?? [])].filter((f) => f !== file)));
    }
  }
  return out;
}
