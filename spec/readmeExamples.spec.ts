/**
 * The README's TypeScript examples compile: every ```ts block that starts with an import is
 * type-checked as an ES module against the sources, with 'codex-rx' and 'codex-rx/testing'
 * mapped to src/ (the packaging test covers the built package itself).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((code) => code.startsWith('import'));

it('the README has self-contained examples (fetch body, client, tools, testing kit)', () => {
  expect(examples.length).toBeGreaterThanOrEqual(4);
});

it('every self-contained README example type-checks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'codex-rx-readme-'));
  try {
    const files = examples.map((code, i) => {
      const file = join(dir, `example${i}.ts`);
      writeFileSync(file, `${code}\nexport {};\n`);
      return file;
    });
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'ES2022',
          moduleResolution: 'bundler',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(root, 'node_modules/@types')],
          baseUrl: root,
          paths: {
            'codex-rx': ['src/index.ts'],
            'codex-rx/testing': ['src/testing/index.ts'],
            rxjs: ['node_modules/rxjs'],
            // The catch-all below would find ws's JavaScript before its types.
            ws: ['node_modules/@types/ws'],
            '*': ['node_modules/*'],
          },
        },
        files,
      }),
    );
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    expect(output).toBe('');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
