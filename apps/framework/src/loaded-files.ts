/**
 * The module files this process loaded outside node_modules and outside `own` (the framework's own bundles): the
 * applications' code, which FRAMEWORK_WATCH reloads on when it changes (Werkzeug's and uWSGI's py-autoreload watch
 * the modules loaded, not a directory).
 */
export function loadedFiles(own: string): string[] {
  return Object.keys(require.cache).filter(
    (file) => !file.includes('/node_modules/') && !file.startsWith(`${own}/`) && file.startsWith('/'),
  );
}
