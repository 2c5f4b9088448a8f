import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixEsmTree, resolveEsmSpecifier, rewriteRelativeSpecifiers } from '../../scripts/esm-specifiers';

describe('rewriteRelativeSpecifiers', () => {
  const resolve = (s: string) => `${s}.js`;

  it('rewrites every import and export form, with either quote', () => {
    const code = [
      "import { a } from './a';",
      'import b from "../b";',
      "export * from './c';",
      "export { d } from './d';",
      "import './side';",
      "const e = await import('./e');",
      "export type { F } from './f';",
      'type G = import("./g").G;',
      "import {\n  h,\n} from './h';",
    ].join('\n');
    expect(rewriteRelativeSpecifiers(code, resolve)).toBe(
      [
        "import { a } from './a.js';",
        'import b from "../b.js";',
        "export * from './c.js';",
        "export { d } from './d.js';",
        "import './side.js';",
        "const e = await import('./e.js');",
        "export type { F } from './f.js';",
        'type G = import("./g.js").G;',
        "import {\n  h,\n} from './h.js';",
      ].join('\n'),
    );
  });

  it('leaves packages, node: builtins and non-import strings alone', () => {
    const code = "import { Observable } from 'rxjs';\nimport { join } from 'node:path';\nconst s = './not-an-import';\n";
    const seen: string[] = [];
    expect(rewriteRelativeSpecifiers(code, (s) => (seen.push(s), `${s}.js`))).toBe(code);
    expect(seen).toEqual([]);
  });
});

describe('resolveEsmSpecifier', () => {
  const files = new Set(['/d/a.js', '/d/dir/index.js', '/d/both.js', '/d/both/index.js', '/d/index.js', '/d/sub/x.js']);
  const exists = (f: string) => files.has(f);

  it('adds .js to a file, /index.js to a folder, and prefers the file', () => {
    expect(resolveEsmSpecifier('/d', './a', exists)).toBe('./a.js');
    expect(resolveEsmSpecifier('/d', './dir', exists)).toBe('./dir/index.js');
    expect(resolveEsmSpecifier('/d', './dir/', exists)).toBe('./dir/index.js');
    expect(resolveEsmSpecifier('/d', './both', exists)).toBe('./both.js');
    expect(resolveEsmSpecifier('/d/sub', '../a', exists)).toBe('../a.js');
    expect(resolveEsmSpecifier('/d/sub', '..', exists)).toBe('../index.js');
  });

  it('keeps specifiers that already name a file', () => {
    expect(resolveEsmSpecifier('/d', './a.js', () => false)).toBe('./a.js');
    expect(resolveEsmSpecifier('/d', './data.json', () => false)).toBe('./data.json');
  });

  it('fails loudly on an import that would fail at run time', () => {
    expect(() => resolveEsmSpecifier('/d', './missing', exists)).toThrow("Cannot resolve relative import './missing' from /d");
  });
});

describe('fixEsmTree', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'codex-rx-esm-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('rewrites .js and .d.ts files in place and counts them', () => {
    mkdirSync(join(root, 'auth'));
    writeFileSync(join(root, 'index.js'), "export * from './types';\nexport * from './auth';\n");
    writeFileSync(join(root, 'index.d.ts'), "export * from './types';\nexport * from './auth';\n");
    writeFileSync(join(root, 'types.js'), 'export {};\n');
    writeFileSync(join(root, 'auth', 'index.js'), "import { x } from '../types';\nexport const y = x;\n");
    writeFileSync(join(root, 'notes.txt'), "from './types'");
    expect(fixEsmTree(root)).toBe(3);
    expect(readFileSync(join(root, 'index.js'), 'utf8')).toBe("export * from './types.js';\nexport * from './auth/index.js';\n");
    expect(readFileSync(join(root, 'index.d.ts'), 'utf8')).toBe("export * from './types.js';\nexport * from './auth/index.js';\n");
    expect(readFileSync(join(root, 'auth', 'index.js'), 'utf8')).toBe("import { x } from '../types.js';\nexport const y = x;\n");
    expect(readFileSync(join(root, 'notes.txt'), 'utf8')).toBe("from './types'");
    // Idempotent: a second run changes nothing.
    expect(fixEsmTree(root)).toBe(0);
  });
});
