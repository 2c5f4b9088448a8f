import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import ts from 'typescript';
import { resolveCodexAuth } from '../../src/auth/resolveCodexAuth.js';
import { accountJwt, listTree, NOW, startTokenServer, tmpDir, type TokenServer } from './helpers.js';

const ROOT = resolvePath(__dirname, '../..');

/**
 * Transpiles src/auth, the redaction it uses and its error classes to CommonJS in `outDir`, so children start with
 * plain node in milliseconds instead of loading ts-node (seconds per process).
 */
async function buildForChildren(outDir: string): Promise<string> {
  const files = [
    ...(await fs.readdir(join(ROOT, 'src/auth'))).filter((f) => f.endsWith('.ts')).map((f) => `auth/${f}`),
    ...(await fs.readdir(join(ROOT, 'src/redact'))).filter((f) => f.endsWith('.ts')).map((f) => `redact/${f}`),
    'json/sortedJson.ts',
    'errors.ts',
    'types.ts',
  ];
  for (const file of files) {
    const source = await fs.readFile(join(ROOT, 'src', file), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    await fs.mkdir(dirname(join(outDir, file)), { recursive: true });
    await fs.writeFile(join(outDir, file.replace(/\.ts$/, '.js')), outputText);
  }
  return join(outDir, 'auth', 'resolveCodexAuth.js');
}

/**
 * A child process that loads the transpiled source, says "ready", waits for a
 * go file (so every racer starts together, whatever its start-up time), then resolves auth.
 */
function racer(
  module: string,
  args: { authFile: string; tokenUrl: string; go: string },
): { child: ChildProcess; ready: Promise<void>; result: Promise<unknown> } {
  const code = `
    const fs = require('node:fs');
    const { resolveCodexAuth } = require(${JSON.stringify(module)});
    const a = JSON.parse(process.argv[1]);
    process.stdout.write('ready\\n');
    const t = setInterval(() => {
      if (!fs.existsSync(a.go)) return;
      clearInterval(t);
      resolveCodexAuth({ env: {}, homeDir: a.home, authFile: a.authFile, authTokenUrl: a.tokenUrl, now: () => ${NOW} })
        .then((r) => process.stdout.write('result ' + JSON.stringify(r) + '\\n'))
        .catch((e) => { process.stdout.write('error ' + e.message + '\\n'); process.exitCode = 1; });
    }, 2);`;
  const child = spawn(process.execPath, ['-e', code, JSON.stringify({ ...args, home: args.go })], {
    cwd: ROOT,
    // The transpiled files live in a tmp dir: let them find undici in the project.
    env: { PATH: process.env.PATH, NODE_PATH: join(ROOT, 'node_modules') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => out.includes('ready\n') && resolve());
    child.on('exit', () => reject(new Error(`racer exited before ready: ${err}`)));
  });
  const result = new Promise<unknown>((resolve, reject) => {
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('result '));
      if (code === 0 && line) resolve(JSON.parse(line.slice('result '.length)));
      else reject(new Error(`racer failed (${code}): ${out} ${err}`));
    });
  });
  return { child, ready, result };
}

describe('auth file refresh across processes', () => {
  let dir: string;
  let buildDir: string;
  let module: string;
  let server: TokenServer;

  beforeAll(async () => {
    buildDir = await tmpDir();
    module = await buildForChildren(buildDir);
  });
  afterAll(async () => {
    await fs.rm(buildDir, { recursive: true, force: true });
  });

  const newAccess = accountJwt('acc_new');

  beforeEach(async () => {
    dir = await tmpDir();
    // Slow enough that every racer reaches the lock while the first refresh is in flight.
    server = await startTokenServer(() => ({ body: { access_token: newAccess, refresh_token: 'rt_new', expires_in: 3600 }, delayMs: 300 }));
  });
  afterEach(async () => {
    await server.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('two child processes and this one racing on one expired file make exactly one token request', async () => {
    const authFile = join(dir, 'auth.json');
    const go = join(dir, 'go');
    await fs.writeFile(
      authFile,
      JSON.stringify({ 'openai-codex': { type: 'oauth', access: 'old', refresh: 'rt_old', expires: NOW - 1, account_id: 'acc_old' } }),
      { mode: 0o600 },
    );
    const racers = [racer(module, { authFile, tokenUrl: server.url, go }), racer(module, { authFile, tokenUrl: server.url, go })];
    try {
      await Promise.all(racers.map((r) => r.ready));
      await fs.writeFile(go, '');
      const here = resolveCodexAuth({ env: {}, homeDir: dir, authFile, authTokenUrl: server.url, now: () => NOW });
      const results = await Promise.all([here, ...racers.map((r) => r.result)]);
      expect(server.requests).toHaveLength(1);
      for (const r of results) expect(r).toEqual({ accessToken: newAccess, accountId: 'acc_new', source: 'auth-file' });
      expect(JSON.parse(await fs.readFile(authFile, 'utf8'))['openai-codex'].refresh).toBe('rt_new');
      expect((await fs.stat(authFile)).mode & 0o777).toBe(0o600);
      expect(await listTree(dir)).toEqual([authFile, go]); // no lock or temp file left
    } finally {
      for (const r of racers) if (r.child.exitCode === null) r.child.kill();
    }
  });
});
