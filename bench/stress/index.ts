/**
 * `npm run stress`: inputs too big for `npm test` (hundreds of thousands of output items, bodies
 * of gigabytes), timed or watched for memory, each module printing its own table.
 *
 * Every other `.ts` file in this folder is a stress module: it exports
 * `run(options: StressOptions): Promise<void>` and prints markdown to stdout. They run one after
 * the other, in file-name order; `npm run stress -- reducer` runs only the modules named.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

/** What every stress module is given. */
export interface StressOptions {
  /** Progress lines (stderr). */
  log: (line: string) => void;
  /** `--quick`: the smallest sizes only (a smoke run). */
  quick: boolean;
  /** Every command-line argument, for a module's own options (`--sizes 1000,20000`). */
  args: readonly string[];
}

/** The shape of a stress module. */
export interface StressModule {
  run(options: StressOptions): Promise<void>;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  // Module names are the arguments that are neither flags nor a flag's value.
  const only = args.filter((a, i) => !a.startsWith('--') && !(args[i - 1] ?? '').match(/^--(sizes|deltas|budget)$/));
  const modules = readdirSync(__dirname)
    .filter((file) => file.endsWith('.ts') && file !== 'index.ts' && !file.endsWith('.d.ts'))
    .map((file) => basename(file, '.ts'))
    .filter((name) => only.length === 0 || only.includes(name))
    .sort();
  const log = (line: string): void => void process.stderr.write(line + '\n');
  for (const name of modules) {
    log(`stress: ${name}…`);

    const mod = require(join(__dirname, name)) as StressModule;
    await mod.run({ log, quick, args });
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`stress failed: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
