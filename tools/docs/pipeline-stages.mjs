// Checks that every stage an app's src/pipeline.ts composes appears, in the same order, in its README's "Pipeline"
// section, so the drawing cannot drift from the code. A stage is named after the file it is imported from (the
// elements of the array given to compose(...)); in the README it is the first word of a line of the drawing, after
// the tree's lines and arrows. Exits 1 naming each stage that is missing or out of order.
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '../..');
const apps = ['apps/edge', 'apps/gateway', 'apps/framework'];
let problems = 0;

for (const app of apps) {
  const source = join(root, app, 'src/pipeline.ts');
  const readme = join(root, app, 'README.md');
  const stages = stagesOf(source);
  if (stages.length === 0) {
    console.error(`${source}: no compose([...]) call with stages found`);
    problems += 1;
    continue;
  }
  const drawn = drawnStages(readFileSync(readme, 'utf8'));
  let from = 0;
  for (const stage of stages) {
    const at = drawn.indexOf(stage, from);
    if (at !== -1) {
      from = at + 1;
      continue;
    }
    const why = drawn.includes(stage) ? 'is drawn out of order' : 'is missing';
    console.error(`${readme}: the stage \`${stage}\` of src/pipeline.ts ${why} in the Pipeline section`);
    problems += 1;
  }
}
if (problems === 0) console.log(`pipeline stages: ${apps.length} READMEs match their pipeline.ts`);
process.exit(problems > 0 ? 1 : 0);

/**
 * The file names (without .ts) of the stage factories in the array that pipeline.ts passes to compose().
 * @param {string} file
 * @returns {string[]}
 */
function stagesOf(file) {
  const sourceFile = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  /** @type {Map<string, string>} */
  const imports = new Map();
  for (const statement of sourceFile.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const from = statement.moduleSpecifier.text;
    const bindings = statement.importClause?.namedBindings;
    if (!from.startsWith('./') || !bindings || !ts.isNamedImports(bindings)) continue;
    for (const element of bindings.elements) imports.set(element.name.text, from);
  }
  /** @type {string[]} */
  const stages = [];
  /** @param {import('typescript').Node} node */
  const collect = (node) => {
    const from = ts.isCallExpression(node) && ts.isIdentifier(node.expression) && imports.get(node.expression.text);
    if (from) {
      stages.push(basename(from));
      return;
    }
    ts.forEachChild(node, collect);
  };
  /** @param {import('typescript').Node} node */
  const visit = (node) => {
    const [list] = ts.isCallExpression(node) && node.expression.getText() === 'compose' ? node.arguments : [];
    if (list && ts.isArrayLiteralExpression(list)) collect(list);
    else ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return stages;
}

/**
 * The first word of each line in the README's Pipeline section, after the tree's lines and arrows.
 * @param {string} markdown
 */
function drawnStages(markdown) {
  const section = /^## Pipeline\n([\s\S]*?)(?=^## )/m.exec(markdown)?.[1] ?? '';
  return section
    .split('\n')
    .map((line) => /^[\s│├└─┬┴┼▶|]*([a-z][a-z0-9-]*)/.exec(line)?.[1])
    .filter((word) => word !== undefined);
}
