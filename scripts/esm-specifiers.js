'use strict';
/**
 * Node's ESM loader needs full relative specifiers (`./types.js`, `./auth/index.js`), but the
 * sources import extensionless paths (`./types`, `./auth`) so that they compile for CommonJS and
 * jest unchanged. After tsc has emitted dist/esm, this rewrites every relative specifier in the
 * emitted `.js` and `.d.ts` files to the file it names, so no bundler is needed.
 */
const fs = require('node:fs');
const path = require('node:path');

/**
 * `from '…'`, `import '…'`, `import('…')` (also the type-level `import("…")` of .d.ts files):
 * group 1 is what precedes the quote, group 2 the quote, group 3 the relative specifier.
 */
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.\.?(?:\/[^'"\n]*)?)\2/g;

/** Specifiers that already name a file: left alone. */
const HAS_EXTENSION = /\.(?:m?js|cjs|json|node)$/;

/**
 * Rewrites each relative specifier in `code` with `resolve(specifier)`.
 * @param {string} code A JavaScript or declaration file.
 * @param {(specifier: string) => string} resolve Maps `./x` to `./x.js` (or leaves it).
 * @return {string} The code with its relative specifiers resolved.
 */
function rewriteRelativeSpecifiers(code, resolve) {
  return code.replace(SPECIFIER, (match, before, quote, specifier) => {
    const resolved = resolve(specifier);
    return resolved === specifier ? match : `${before}${quote}${resolved}${quote}`;
  });
}

/**
 * The full ESM specifier for an extensionless relative one: `./x` → `./x.js` when x.js exists
 * beside the importing file, else `./x/index.js` when that exists.
 * @param {string} fromDir The directory of the importing file.
 * @param {string} specifier A relative specifier (`./x`, `../y`, `.`, `..`).
 * @param {(file: string) => boolean} [exists] File test (injectable for tests).
 * @return {string} The resolved specifier.
 * @throws {Error} When neither file exists: an import that would fail at run time fails the build.
 */
function resolveEsmSpecifier(fromDir, specifier, exists = isFile) {
  if (HAS_EXTENSION.test(specifier)) return specifier;
  const target = path.resolve(fromDir, specifier);
  const bare = specifier.replace(/\/+$/, '');
  if (bare !== '.' && bare !== '..' && exists(`${target}.js`)) return `${bare}.js`;
  if (exists(path.join(target, 'index.js'))) return `${bare}/index.js`;
  throw new Error(`Cannot resolve relative import '${specifier}' from ${fromDir}`);
}

function isFile(file) {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Rewrites every `.js` and `.d.ts` file under `root` in place.
 * @param {string} root The ESM output directory (dist/esm).
 * @return {number} How many files changed.
 */
function fixEsmTree(root) {
  let changed = 0;
  for (const file of walk(root)) {
    if (!file.endsWith('.js') && !file.endsWith('.d.ts')) continue;
    const code = fs.readFileSync(file, 'utf8');
    const dir = path.dirname(file);
    const fixed = rewriteRelativeSpecifiers(code, (specifier) => resolveEsmSpecifier(dir, specifier));
    if (fixed !== code) {
      fs.writeFileSync(file, fixed);
      changed += 1;
    }
  }
  return changed;
}

function* walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile()) yield full;
  }
}

module.exports = { rewriteRelativeSpecifiers, resolveEsmSpecifier, fixEsmTree };
