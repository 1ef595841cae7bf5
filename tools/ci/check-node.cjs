// Fails the install when the Node that npm put first on PATH is not the project's Node 24 (the `node` devDependency).
// Without this guard a skipped preinstall (`npm ci --ignore-scripts`) silently falls back to the machine's Node.
const major = Number(process.versions.node.split('.')[0]);
if (major !== 24) {
  console.error(
    `Expected Node 24 from node_modules/.bin/node, got ${process.version} (${process.execPath}).\n` +
      'Run `npm rebuild node` (the `node` package links Node 24 there in its preinstall).',
  );
  process.exit(1);
}
