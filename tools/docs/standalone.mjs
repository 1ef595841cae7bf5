// Checks that the repository stands on its own: no Markdown file (outside node_modules, tmp and dist) points to a
// path outside the repository (`../shared/…`, `shared/…`, `/work/…`, a relative link that climbs out of it) or to an
// issue number (`issue 5`, `#12`), and every relative link reaches a file that exists; no source file's comments or
// strings name an issue number either; the README's Docs section links every ADR. First it checks itself on a
// planted tree (each kind of problem must be found, and nothing else), so a broken pattern cannot pass silently.
// Exits 1 naming each problem with its file and line.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * @typedef {{ file: string, line: number, kind: string, text: string }} Problem
 * @typedef {{ file: string, text: string, why: string }} Allowed
 */

const root = resolve(import.meta.dirname, '../..');
/** Directories never searched: dependencies, build output, scratch space (worktrees of older revisions live there). */
const SKIP_DIRS = new Set(['node_modules', 'tmp', 'dist', '.git', '.nx']);
const SOURCE = /\.(?:ts|mts|cts|mjs|cjs|js|sh|go|proto|ya?ml)$|(?:^|\/)Dockerfile$/;
/** This file names the patterns it looks for. */
const SELF = 'tools/docs/standalone.mjs';
/** Mentions the repository documents on purpose. */
/** @type {Allowed[]} */
const ALLOWED = [
  {
    file: 'tools/jaeger/README.md',
    text: '../shared/vendor/',
    why: 'documents an optional input that ensure-ui.sh looks for; nothing needs it',
  },
];

/** Outside the repository: a `shared/` tree beside it (`../shared/…`, `shared/seed`), or the machine's /work. */
const OUTSIDE = [/(?<![\w/.@-])(?:\.\.\/)*shared\//g, /(?<![\w.-])\/work\//g];
/** A project issue by number (`issue 5`, `issues 2 and 3`, `issue #5`) or by title (`issue "…"`), or `#12`. */
const ISSUE_IN_PROSE = [/\bissues?\s+#?\d+/gi, /\bissue\s+["“]/gi, /(?<![\w&#/])#\d+\b/g];
const ISSUE_IN_SOURCE = [/\bissues?\s+#?\d+/gi, /\bissue\s+["“]/gi];
/** `[text](target)` and `[label]: target`; the target up to a space, `)` or `>`. */
const LINKS = [/\]\(<?([^)\s>]+)/g, /^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/g];

const selfProblems = selfCheck();
if (selfProblems.length > 0) {
  console.error('standalone: the self-check failed (its patterns need fixing):');
  for (const message of selfProblems) console.error(`  ${message}`);
  process.exit(1);
}
const problems = scan(root, ALLOWED);
for (const { file, line, kind, text } of problems) console.error(`${file}:${line}: ${kind}: ${text}`);
if (problems.length === 0) console.log('standalone: no path outside the repository, no issue number; links resolve');
process.exit(problems.length > 0 ? 1 : 0);

/**
 * Every problem under `dir` (a repository root).
 * @param {string} dir
 * @param {Allowed[]} allowed
 * @returns {Problem[]}
 */
function scan(dir, allowed) {
  /** @type {Problem[]} */
  const found = [];
  for (const path of files(dir)) {
    const file = relative(dir, path).split(sep).join('/');
    const markdown = file.endsWith('.md');
    if ((!markdown && !SOURCE.test(file)) || file === SELF) continue;
    const lines = readFileSync(path, 'utf8').split('\n');
    lines.forEach((line, index) => {
      /** @param {string} kind @param {string} text @param {number} at */
      const report = (kind, text, at) => {
        if (allowed.some((a) => a.file === file && line.startsWith(a.text, at))) return;
        found.push({ file, line: index + 1, kind, text });
      };
      for (const pattern of markdown ? ISSUE_IN_PROSE : ISSUE_IN_SOURCE)
        for (const match of line.matchAll(pattern)) report('names an issue', match[0], match.index);
      if (!markdown) return;
      for (const pattern of OUTSIDE)
        for (const match of line.matchAll(pattern)) report('points outside the repository', match[0], match.index);
      for (const pattern of LINKS)
        for (const match of line.matchAll(pattern)) {
          const target = (match[1] ?? '').split('#')[0] ?? '';
          if (target === '' || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
          const at = line.indexOf(target, match.index);
          const resolved = target.startsWith('/') ? join(dir, target) : resolve(dirname(path), target);
          const inside = relative(dir, resolved);
          if (inside.startsWith('..') || resolve(inside) === inside) report('links outside the repository', target, at);
          else if (!existsSync(resolved)) report('links to a file that does not exist', target, at);
        }
    });
  }
  found.push(...unlistedDecisions(dir));
  return found;
}

/**
 * ADRs the README's Docs section does not link.
 * @param {string} dir
 * @returns {Problem[]}
 */
function unlistedDecisions(dir) {
  const adrs = join(dir, 'docs', 'adr');
  const readme = join(dir, 'README.md');
  if (!existsSync(adrs) || !existsSync(readme)) return [];
  const text = readFileSync(readme, 'utf8');
  const section = /^## Docs\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(text);
  const docs = section?.[1] ?? '';
  const line = section ? text.slice(0, section.index).split('\n').length : 1;
  return readdirSync(adrs)
    .filter((name) => name.endsWith('.md') && !docs.includes(`(docs/adr/${name})`))
    .map((name) => ({ file: 'README.md', line, kind: 'the Docs section does not link', text: `docs/adr/${name}` }));
}

/**
 * Every file under `dir`, but in SKIP_DIRS.
 * @param {string} dir
 * @returns {Generator<string>}
 */
function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) yield* files(join(dir, entry.name));
    } else if (entry.isFile()) yield join(dir, entry.name);
  }
}

/**
 * Runs `scan` on a planted tree and returns what it got wrong: a planted problem it missed, or a problem it reported
 * that was not planted.
 * @returns {string[]}
 */
function selfCheck() {
  const dir = mkdtempSync(join(tmpdir(), 'standalone-'));
  /** @param {string} file @param {string} text */
  const plant = (file, text) => {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  };
  try {
    plant(
      'README.md',
      [
        '# planted',
        'The stack of `shared/seed`, as ../shared/bench/RESULTS.md measured.', // 2: two outside paths
        'Built from /work/main, see issue 5 and #12.', // 3: an outside path and two issues
        'An [escape](../../elsewhere.md) and a [gone](docs/missing.md).', // 4: outside link, missing file
        'Fine: `scope:shared`, libs/shared/x, ~/.cache/mono, every issue with its path, [ok](docs/a.md#top).',
        'Fine: [site](https://example.com/shared/x), [anchor](#docs), `../shared/vendor/` (allowed here only).',
        '## Docs',
        '[ADR-0001](docs/adr/0001-a.md)',
      ].join('\n'),
    );
    plant('docs/a.md', 'Also (issue "Every hop traced").\n'); // 1: an issue by title
    plant('docs/adr/0001-a.md', '# a\n');
    plant('docs/adr/0002-b.md', '# b\n'); // not in the Docs section
    plant('src/x.ts', '// see issue 7\nclass A { #private = 1; }\nconst color = "#123";\n'); // 1: an issue
    plant('node_modules/x/README.md', 'shared/seed, issue 5\n');
    plant('tmp/x.md', '/work/x\n');
    plant('apps/x/dist/y.md', '../shared/x\n');
    const expected = [
      'README.md:2: points outside the repository: shared/',
      'README.md:2: points outside the repository: ../shared/',
      'README.md:3: names an issue: issue 5',
      'README.md:3: names an issue: #12',
      'README.md:3: points outside the repository: /work/',
      'README.md:4: links outside the repository: ../../elsewhere.md',
      'README.md:4: links to a file that does not exist: docs/missing.md',
      'README.md:7: the Docs section does not link: docs/adr/0002-b.md',
      'docs/a.md:1: names an issue: issue "',
      'src/x.ts:1: names an issue: issue 7',
    ];
    const allowed = [{ file: 'README.md', text: '../shared/vendor/', why: 'planted' }];
    const got = scan(dir, allowed).map(({ file, line, kind, text }) => `${file}:${line}: ${kind}: ${text}`);
    return [
      ...expected.filter((e) => !got.includes(e)).map((e) => `missed ${e}`),
      ...got.filter((g) => !expected.includes(g)).map((g) => `reported what was not planted: ${g}`),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
