// Command-line options of the bench's tools that take their arguments apart (ab.mjs, profile.mjs): each option found is
// removed, so that what is left is the positional arguments.

/**
 * Removes `--name value` from `args` and returns the value, or `fallback` without it.
 * @param {string[]} args
 * @param {string} name
 * @param {string} fallback
 */
export function takeOption(args, name, fallback) {
  const at = args.indexOf(`--${name}`);
  if (at === -1) return fallback;
  const [, value = fallback] = args.splice(at, 2);
  return value;
}

/**
 * Removes `--name` from `args`; whether it was there.
 * @param {string[]} args
 * @param {string} name
 */
export function takeFlag(args, name) {
  const at = args.indexOf(`--${name}`);
  if (at !== -1) args.splice(at, 1);
  return at !== -1;
}
