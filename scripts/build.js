#!/usr/bin/env node
'use strict';
/**
 * `npm run build`: the CommonJS and ESM builds with their declarations, from one source tree.
 *
 *   dist/cjs  tsc -b tsconfig.build.json   + package.json {"type":"commonjs"}
 *   dist/esm  tsc -b tsconfig.esm.json --noCheck  + package.json {"type":"module"}
 *
 * The sources write full relative specifiers (`./types.js`), so the emitted ESM runs in Node as is.
 *
 * The two compilations run in parallel. The markers make each tree's module format explicit, so
 * neither depends on the root package.json's "type".
 *
 * `--incremental` (what `npm start` uses) keeps dist and its build info (dist/*.tsbuildinfo, beside
 * the two published trees, never inside them): `tsc -b` then compiles only what changed, and
 * nothing at all when no source did. A plain `npm run build` (CI, `npm pack`) starts from an empty
 * dist, so files of renamed or deleted sources never ship.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });

const incremental = process.argv.includes('--incremental');

function compile(project, ...extra) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, '-b', project, ...extra], { cwd: root, stdio: 'inherit' });
    child.on('close', (code, signal) => resolve(code === 0 ? null : `tsc -b ${project} failed (${signal ?? code})`));
  });
}

async function main() {
  // Stale files from renamed sources must not ship.
  if (!incremental) fs.rmSync(dist, { recursive: true, force: true });
  // The CommonJS compile type-checks; the ESM one emits the same sources without checking them
  // again (--noCheck: identical output, half the time).
  const failures = (await Promise.all([compile('tsconfig.build.json'), compile('tsconfig.esm.json', '--noCheck')])).filter(Boolean);
  if (failures.length > 0) {
    for (const failure of failures) console.error(`build: ${failure}`);
    process.exit(1);
  }
  fs.writeFileSync(path.join(dist, 'cjs', 'package.json'), '{\n  "type": "commonjs"\n}\n');
  fs.writeFileSync(path.join(dist, 'esm', 'package.json'), '{\n  "type": "module"\n}\n');
}

main().catch((error) => {
  console.error(`build: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
