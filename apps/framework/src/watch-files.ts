import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/** A change within this of another is the same change: an editor's or a bundler's several writes of one save. */
const SETTLE_MS = 200;

/**
 * Calls `changed` once files stop changing, with the first that changed. Each file's directory is watched, not the
 * file: a bundler or an editor that replaces a file (write elsewhere, rename over it) would end a watch on the file.
 * Returns a function that stops watching.
 */
export function watchFiles(files: readonly string[], changed: (file: string) => void): () => void {
  const byDirectory = new Map<string, Set<string>>();
  for (const file of files) {
    const names = byDirectory.get(dirname(file)) ?? new Set<string>();
    names.add(basename(file));
    byDirectory.set(dirname(file), names);
  }
  let timer: NodeJS.Timeout | undefined;
  let first: string | undefined;
  const watchers: FSWatcher[] = [];
  for (const [directory, names] of byDirectory) {
    try {
      const watcher = watch(directory, { persistent: false }, (_event, name) => {
        if (name === null || !names.has(name)) return;
        first ??= `${directory}/${name}`;
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          const file = first as string;
          first = undefined;
          changed(file);
        }, SETTLE_MS);
      });
      watcher.on('error', () => watcher.close());
      watchers.push(watcher);
    } catch {
      // A directory gone meanwhile: nothing there to reload on.
    }
  }
  return () => {
    if (timer) clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  };
}
