/**
 * The mock server serves many responses at once without a MaxListenersExceededWarning. Node
 * prints that warning on the real process, which a jest sandbox cannot listen to, so the server
 * runs in a child process on the transpiled sources and the test reads the child's stderr.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve as resolvePath } from 'node:path';
import ts from 'typescript';

const ROOT = resolvePath(__dirname, '../..');

async function sourcesOf(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourcesOf(path)));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** src/ as CommonJS in `outDir` (plain node starts in milliseconds; ts-node takes seconds). */
async function transpileSources(outDir: string): Promise<void> {
  for (const file of await sourcesOf(join(ROOT, 'src'))) {
    const { outputText } = ts.transpileModule(await fs.readFile(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    const out = join(outDir, relative(join(ROOT, 'src'), file)).replace(/\.ts$/, '.js');
    await fs.mkdir(dirname(out), { recursive: true });
    await fs.writeFile(out, outputText);
  }
}

describe('the mock server under many concurrent responses', () => {
  let outDir: string;
  beforeAll(async () => {
    outDir = await fs.mkdtemp(join(tmpdir(), 'codex-rx-mock-'));
    await transpileSources(outDir);
  });
  afterAll(() => fs.rm(outDir, { recursive: true, force: true }));

  it('serves 25 stalled responses at once without a MaxListenersExceededWarning, and ends them all at close', () => {
    const script = `
      const { request } = require('undici');
      const { startMockCodexServer } = require(${JSON.stringify(join(outDir, 'testing', 'index.js'))});
      const { textTurn } = require(${JSON.stringify(join(outDir, 'testing', 'transcripts.js'))});
      (async () => {
        const server = await startMockCodexServer({ handler: () => ({ events: textTurn({ text: ['hi'] }), stall: true }) });
        const responses = await Promise.all(Array.from({ length: 25 }, () =>
          request(server.responsesUrl, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })));
        await server.close();
        await Promise.all(responses.map((r) => r.body.text().catch(() => '')));
        await new Promise((r) => setTimeout(r, 20));
        console.log('statuses ' + responses.map((r) => r.statusCode).join(','));
      })().catch((e) => { console.error(e); process.exitCode = 1; });`;
    const child = spawnSync(process.execPath, ['-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, NODE_PATH: join(ROOT, 'node_modules') },
      timeout: 60_000,
    });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(child.stdout.trim()).toBe(`statuses ${Array(25).fill(200).join(',')}`);
  });
});
