#!/usr/bin/env node
/**
 * The `codex-rx` executable: wires {@link runCli} to the process, then exits with its code.
 * Exiting explicitly also drops the client's idle keep-alive sockets at once.
 */
import { runCli } from './run.js';

runCli({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  onInterrupt(handler) {
    process.on('SIGINT', handler);
    return () => process.off('SIGINT', handler);
  },
}).then(
  (code) => {
    // Let buffered output drain (a TTY, or a pipe on Windows) before exiting.
    process.stdout.write('', () => process.exit(code));
  },
  (error: unknown) => {
    process.stderr.write(`codex-rx: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
