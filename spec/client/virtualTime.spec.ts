/**
 * The README's example of the client's timers in virtual time, run as written: its code is taken
 * from README.md, compiled to CommonJS, and run with 'codex-rx' and 'codex-rx/testing' mapped to
 * the sources. Its own asserts are the test; a backoff or timeout left to real time would hang it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as rxjs from 'rxjs';
import * as rxjsTesting from 'rxjs/testing';
import ts from 'typescript';
import * as codexRx from '../../src/index.js';
import * as testingKit from '../../src/testing/index.js';

const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const example = blocks.filter((code) => code.includes('new TestScheduler') && code.includes('new CodexClient'));

// Every server the example starts, closed even when one of its asserts fails first.
const servers: testingKit.MockCodexServer[] = [];
const modules: Record<string, unknown> = {
  'codex-rx': codexRx,
  'codex-rx/testing': {
    ...testingKit,
    startMockCodexServer: async (...args: Parameters<typeof testingKit.startMockCodexServer>) => {
      const server = await testingKit.startMockCodexServer(...args);
      servers.push(server);
      return server;
    },
  },
  rxjs,
  'rxjs/testing': rxjsTesting,
  'node:assert/strict': assert,
};

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Runs a README example: its imports resolved from `modules`, top-level await allowed. */
async function runExample(code: string): Promise<void> {
  const { outputText } = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const load = (id: string): unknown => {
    if (!(id in modules)) throw new Error(`the README example imports ${id}, which this spec does not provide`);
    return modules[id];
  };
  const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
    ...args: string[]
  ) => (...args: unknown[]) => Promise<void>;
  await new AsyncFunction('require', 'exports', outputText)(load, {});
}

it('the README has one example of the client with a TestScheduler', () => {
  expect(example).toHaveLength(1);
});

it('the README example runs: two backoff waits and a 5-minute headers timeout pass in virtual time', async () => {
  await runExample(example[0]!);
}, 30_000);
