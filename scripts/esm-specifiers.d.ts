/** Rewrites each relative specifier (`./x`, `../y`) in `code` with `resolve(specifier)`. */
export function rewriteRelativeSpecifiers(code: string, resolve: (specifier: string) => string): string;
/** `./x` → `./x.js` or `./x/index.js`, whichever exists; throws when neither does. */
export function resolveEsmSpecifier(fromDir: string, specifier: string, exists?: (file: string) => boolean): string;
/** Rewrites every `.js` and `.d.ts` under `root` in place; returns how many files changed. */
export function fixEsmTree(root: string): number;
