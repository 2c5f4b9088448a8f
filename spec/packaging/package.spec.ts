/**
 * The package as users get it: `npm pack` (which builds, through `prepack`), the tarball
 * unpacked into a fresh project whose dependencies are links to this repo's node_modules (no
 * network), then `import`, `require`, the `codex-rx` bin and a type-checked consumer.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ROOT_EXPORTS, TESTING_EXPORTS, exportNames } from './exportNames.js';

const ROOT = resolve(__dirname, '..', '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

interface PackedFile {
  path: string;
}
interface PackResult {
  filename: string;
  files: PackedFile[];
}
interface PackageJson {
  name: string;
  version: string;
  bin: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  exports: Record<string, unknown>;
  [key: string]: unknown;
}

let work: string;
let project: string;
let packed: PackResult;
let pkg: PackageJson;

// Generous: on a loaded machine a type-check of the consumer alone can take over 30 s.
const CHILD_TIMEOUT_MS = 120_000;

function run(file: string, args: string[], cwd = project, env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(file, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    timeout: CHILD_TIMEOUT_MS,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function node(args: string[], env: NodeJS.ProcessEnv = {}) {
  return run(process.execPath, args, project, env);
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'codex-rx-pack-'));
  // `npm pack` runs `prepack` (= npm run build) first: the one build of this file.
  const out = execFileSync(NPM, ['pack', '--json', '--pack-destination', work], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  packed = (JSON.parse(out) as PackResult[])[0]!;

  project = join(work, 'consumer');
  const modules = join(project, 'node_modules');
  mkdirSync(modules, { recursive: true });
  execFileSync('tar', ['-xzf', join(work, packed.filename), '-C', modules]);
  renameSync(join(modules, 'package'), join(modules, 'codex-rx'));
  pkg = JSON.parse(readFileSync(join(modules, 'codex-rx', 'package.json'), 'utf8')) as PackageJson;

  // What `npm install codex-rx rxjs` would bring, linked from this repo (no network).
  const deps = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}), '@types/node'];
  for (const dep of deps) {
    mkdirSync(dirname(join(modules, dep)), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', dep), join(modules, dep), 'junction');
  }
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }));
}, 120_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds the two builds with their declarations, and nothing for development', () => {
    const paths = packed.files.map((f) => f.path);
    for (const needed of [
      'package.json',
      'README.md',
      'dist/cjs/package.json',
      'dist/cjs/index.js',
      'dist/cjs/index.d.ts',
      'dist/cjs/testing/index.js',
      'dist/cjs/testing/index.d.ts',
      'dist/cjs/cli/main.js',
      'dist/esm/package.json',
      'dist/esm/index.js',
      'dist/esm/index.d.ts',
      'dist/esm/testing/index.js',
      'dist/esm/testing/index.d.ts',
    ]) {
      expect(paths).toContain(needed);
    }
    const stray = paths.filter(
      (p) =>
        !/^dist\/(cjs|esm)\/.+\.(js|d\.ts)$/.test(p) &&
        !['package.json', 'README.md', 'dist/cjs/package.json', 'dist/esm/package.json'].includes(p),
    );
    expect(stray).toEqual([]);
    // The CLI is CommonJS only (its bin); the ESM tree has no copy of it.
    expect(paths.filter((p) => p.startsWith('dist/esm/cli/'))).toEqual([]);
  });

  it('declares the dual entry points, the bin, no side effects and Node 20', () => {
    expect(pkg).toMatchObject({
      main: './dist/cjs/index.js',
      module: './dist/esm/index.js',
      types: './dist/cjs/index.d.ts',
      bin: { 'codex-rx': 'dist/cjs/cli/main.js' },
      sideEffects: false,
      engines: { node: '>=20' },
      peerDependencies: { rxjs: expect.stringMatching(/^\^7/) },
    });
    expect(Object.keys(pkg.exports)).toEqual(['.', './testing', './package.json']);
    expect(readFileSync(join(project, 'node_modules/codex-rx/dist/esm/package.json'), 'utf8')).toContain('"module"');
    expect(readFileSync(join(project, 'node_modules/codex-rx/dist/cjs/package.json'), 'utf8')).toContain('"commonjs"');
  });
});

/** Consumer programs: one turn against the mock server of codex-rx/testing, through the client. */
const ESM_CONSUMER = `
import { CodexClient, collectResponse, ConfigError, CodexError } from 'codex-rx';
import { startMockCodexServer, fakeAccessToken, textTurn } from 'codex-rx/testing';
import { lastValueFrom } from 'rxjs';
import { createRequire } from 'node:module';

const server = await startMockCodexServer({ replies: [{ events: textTurn({ text: ['Hello', ' from ESM'] }) }] });
try {
  const client = new CodexClient({ baseUrl: server.baseUrl, accessToken: fakeAccessToken('acc_esm') });
  const result = await lastValueFrom(client.stream([{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]).pipe(collectResponse()));
  const cjs = createRequire(import.meta.url)('codex-rx');
  let crossBuild;
  try { new cjs.CodexClient({ nope: 1 }); } catch (e) { crossBuild = e instanceof ConfigError && e instanceof CodexError; }
  console.log(JSON.stringify({
    text: result.text,
    status: result.status,
    resolved: import.meta.resolve('codex-rx'),
    testing: import.meta.resolve('codex-rx/testing'),
    crossBuild,
    sameClass: cjs.CodexClient === CodexClient,
  }));
} finally {
  await server.close();
}
`;

const CJS_CONSUMER = `
const { CodexClient, collectResponse } = require('codex-rx');
const { startMockCodexServer, fakeAccessToken, textTurn } = require('codex-rx/testing');
const { lastValueFrom } = require('rxjs');

(async () => {
  const server = await startMockCodexServer({ replies: [{ events: textTurn({ text: ['Hello', ' from CJS'] }) }] });
  try {
    const client = new CodexClient({ baseUrl: server.baseUrl, accessToken: fakeAccessToken('acc_cjs') });
    const result = await lastValueFrom(client.stream([{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]).pipe(collectResponse()));
    console.log(JSON.stringify({
      text: result.text,
      status: result.status,
      resolved: require.resolve('codex-rx'),
      testing: require.resolve('codex-rx/testing'),
      version: require('codex-rx/package.json').version,
    }));
  } finally {
    await server.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
`;

describe('using the installed package', () => {
  it('import: the ESM build streams a turn, and its errors are recognised across the two builds', () => {
    writeFileSync(join(project, 'esm.mjs'), ESM_CONSUMER);
    const { code, stdout, stderr } = node(['esm.mjs']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ text: 'Hello from ESM', status: 'completed', crossBuild: true, sameClass: false });
    expect(out.resolved).toMatch(/node_modules\/codex-rx\/dist\/esm\/index\.js$/);
    expect(out.testing).toMatch(/node_modules\/codex-rx\/dist\/esm\/testing\/index\.js$/);
  });

  it('require: the CommonJS build streams a turn', () => {
    writeFileSync(join(project, 'cjs.cjs'), CJS_CONSUMER);
    const { code, stdout, stderr } = node(['cjs.cjs']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ text: 'Hello from CJS', status: 'completed', version: pkg.version });
    expect(out.resolved).toMatch(/node_modules[\\/]codex-rx[\\/]dist[\\/]cjs[\\/]index\.js$/);
    expect(out.testing).toMatch(/node_modules[\\/]codex-rx[\\/]dist[\\/]cjs[\\/]testing[\\/]index\.js$/);
  });

  it('both builds export exactly the pinned names from both entry points', () => {
    const script = (entry: string): string =>
      `import(${JSON.stringify(entry)}).then((esm) => console.log(JSON.stringify({ esm: Object.keys(esm), cjs: Object.keys(require(${JSON.stringify(entry)})) })))`;
    for (const [entry, pinned] of [
      ['codex-rx', ROOT_EXPORTS],
      ['codex-rx/testing', TESTING_EXPORTS],
    ] as const) {
      const { code, stdout, stderr } = node(['-e', script(entry)]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const names = JSON.parse(stdout) as { esm: string[]; cjs: string[] };
      expect({ entry, esm: exportNames(names.esm) }).toEqual({ entry, esm: pinned });
      expect({ entry, cjs: exportNames(names.cjs) }).toEqual({ entry, cjs: pinned });
    }
  });

  it('the codex-rx bin runs the embedded mock turn and prints its version', () => {
    const bin = join(project, 'node_modules', 'codex-rx', pkg.bin['codex-rx']!);
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const version = node([bin, '--version']);
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    const turn = node([bin, '--json', 'Hi'], { CODEX_RX_MOCK_PACE: '0', HOME: project, OPENAI_CODEX_ACCESS_TOKEN: '' });
    expect(turn.code).toBe(0);
    const events = turn.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    // The demo runs a tool loop: the last line is the loop's finish, after the answer's done.
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'done' });
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['reasoning-delta', 'text-delta', 'tool-calls', 'usage', 'tool-result', 'done']),
    );
  });

  it(
    'type-checks a TypeScript consumer of both entry points, as ESM and as CommonJS (module nodenext)',
    () => {
      const body = (kind: string) => `
import { CodexClient, collectResponse, parseResponseStream, CodexError, type CodexEvent, type CodexResult } from 'codex-rx';
import { startMockCodexServer, fakeAccessToken, type MockReply } from 'codex-rx/testing';
import { lastValueFrom, type Observable } from 'rxjs';

export async function turn${kind}(): Promise<CodexResult> {
  const reply: MockReply = { status: 200, events: [] };
  const server = await startMockCodexServer({ replies: [reply] });
  const client = new CodexClient({ baseUrl: server.baseUrl, accessToken: fakeAccessToken('acc'), reasoning: { effort: 'low' } });
  const events$: Observable<CodexEvent> = client.stream([{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]);
  const texts: string[] = [];
  events$.subscribe((e) => { if (e.type === 'text-delta') texts.push(e.delta); });
  const bytes$: Observable<Uint8Array> = new (await import('rxjs')).Observable<Uint8Array>();
  bytes$.pipe(parseResponseStream()).subscribe();
  try {
    return await lastValueFrom(events$.pipe(collectResponse()));
  } catch (e) {
    if (e instanceof CodexError) console.error(e.code);
    throw e;
  } finally {
    await server.close();
  }
}

// The types are real, not \`any\`: each of these must fail to compile.
// @ts-expect-error an unknown event type
export const bad: CodexEvent = { type: 'nope' };
// @ts-expect-error an unknown reasoning effort
new CodexClient({ reasoning: { effort: 'maximum' } });
// @ts-expect-error an unknown MockReply field
export const badReply: MockReply = { statusCode: 200 };
`;
      writeFileSync(join(project, 'consumer.mts'), body('Esm'));
      writeFileSync(join(project, 'consumer.cts'), body('Cjs'));
      writeFileSync(
        join(project, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            module: 'nodenext',
            moduleResolution: 'nodenext',
            target: 'ES2022',
            lib: ['ES2022'],
            types: ['node'],
            strict: true,
            noEmit: true,
            skipLibCheck: false,
          },
          files: ['consumer.mts', 'consumer.cts'],
        }),
      );
      const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
      const { code, stdout, stderr } = node([tsc, '-p', 'tsconfig.json']);
      expect(stdout + stderr).toBe('');
      expect(code).toBe(0);
    },
    CHILD_TIMEOUT_MS,
  );
});
