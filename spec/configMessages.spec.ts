/**
 * Every ConfigError in the sources says what to change, not only what is wrong: each
 * `new ConfigError(…)` statement holds a second sentence that starts with a fix ("Set …",
 * "Pass …", "Pick …", "Remove …", "Use …", "Did you mean …"), or passes on a message or a fix
 * built elsewhere. The specs of each site check the exact wording; this catches a new site.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = join(__dirname, '..', 'src');
const FIX = /\.(\$\{\w+\})? (Set|Pass|Pick|Remove|Use|Did you mean)\b/;
// A message built elsewhere: another ConfigError's message with a prefix, or a rule's fix.
const PASSED_ON = /\$\{[^}]*(\.message|\bfix\b|_FIX)[^}]*\}/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Each `new ConfigError(` with its statement (up to the `;` that ends a line), and where it is. */
function configErrorSites(): { where: string; statement: string }[] {
  const sites: { where: string; statement: string }[] = [];
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (let at = text.indexOf('new ConfigError('); at !== -1; at = text.indexOf('new ConfigError(', at + 1)) {
      const end = text.indexOf(';\n', at);
      const line = text.slice(0, at).split('\n').length;
      // Strings joined with + read as one.
      const statement = text.slice(at, end === -1 ? undefined : end).replace(/['`]\s*\+\s*['`]/g, '');
      sites.push({ where: `${relative(SRC, file)}:${line}`, statement });
    }
  }
  return sites;
}

it('finds the ConfigError sites of the sources', () => {
  expect(configErrorSites().length).toBeGreaterThan(50);
});

it('every ConfigError message says what to change', () => {
  const withoutFix = configErrorSites()
    .filter(({ statement }) => !FIX.test(statement) && !PASSED_ON.test(statement))
    .map(({ where, statement }) => `${where}: ${statement.replace(/\s+/g, ' ').slice(0, 120)}`);
  expect(withoutFix).toEqual([]);
});
