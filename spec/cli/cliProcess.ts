/**
 * Runs the `codex-rx` CLI as a child process, compiled once per test file from the current
 * sources (tsc --noCheck into a temporary folder: type errors are `npm test`'s tsc step's job,
 * and spawning plain JavaScript keeps each run fast).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

export interface CompiledCli {
  /** The compiled `main.js`. */
  main: string;
  /** An empty folder to use as HOME (no credentials anywhere). */
  home: string;
  dispose(): void;
}

/** Compiles src into `<tmp>/dist/cjs`, beside a copy of package.json and a link to node_modules. */
export function compileCli(): CompiledCli {
  const dir = mkdtempSync(join(tmpdir(), 'codex-rx-cli-'));
  const outDir = join(dir, 'dist', 'cjs');
  const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  const result = spawnSync(
    process.execPath,
    // Its own build info too: the repository's dist/cjs.tsbuildinfo belongs to `npm start`'s build.
    [
      tsc,
      '-p',
      join(ROOT, 'tsconfig.build.json'),
      '--outDir',
      outDir,
      '--tsBuildInfoFile',
      join(dir, 'cjs.tsbuildinfo'),
      '--noCheck',
      '--declaration',
      'false',
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const main = join(outDir, 'cli', 'main.js');
  if (!existsSync(main)) throw new Error(`compiling the CLI failed:\n${result.stdout}\n${result.stderr}`);
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  // A junction on Windows (no admin rights needed); the type is ignored elsewhere.
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'junction');
  const home = join(dir, 'home');
  mkdirSync(home);
  return { main, home, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  child: ChildProcess;
  /** Resolves once stdout contains `text`. */
  waitForStdout(text: string, timeoutMs?: number): Promise<void>;
  result: Promise<CliResult>;
}

/**
 * Starts the CLI with a clean environment: PATH, HOME (empty), the mock at full speed, plus `env`.
 * No OPENAI_CODEX_* or colour variables leak in from the test runner.
 */
export function startCli(cli: CompiledCli, args: string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, [cli.main, ...args], {
    cwd: cli.home,
    env: { PATH: process.env.PATH ?? '', HOME: cli.home, CODEX_RX_MOCK_PACE: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const watch of watchers) watch();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const result = new Promise<CliResult>((resolveResult, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolveResult({ code, signal, stdout, stderr }));
  });
  const waitForStdout = (text: string, timeoutMs = 15_000): Promise<void> =>
    new Promise((resolveWait, reject) => {
      const timer = setTimeout(() => {
        watchers.delete(check);
        reject(
          new Error(`stdout never contained ${JSON.stringify(text)}; got ${JSON.stringify(stdout)}, stderr ${JSON.stringify(stderr)}`),
        );
      }, timeoutMs);
      const check = (): void => {
        if (!stdout.includes(text)) return;
        clearTimeout(timer);
        watchers.delete(check);
        resolveWait();
      };
      watchers.add(check);
      check();
    });
  return { child, waitForStdout, result };
}

/** Runs the CLI to its end. */
export function runCliProcess(cli: CompiledCli, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return startCli(cli, args, env).result;
}
