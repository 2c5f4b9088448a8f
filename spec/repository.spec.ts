import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

// The repository explains itself: comments, test names and docs say what the code does in their
// own words. They never point at numbered items or sections of documents that are not in the
// repository; a reference worth keeping lives in docs/ and is linked from there.

const root = join(__dirname, '..');

/** What a citation of an outside document looks like. This file, which spells them out, is not scanned. */
const citations: readonly RegExp[] = [
  /\bitems? \d/i, // "item 51", "items 7–22"
  /\u00a7/, // "SPEC §6.7", "§4"
  /\bSPEC\b/, // the product specification, by name
  /\bBEHAVIOU?R\b/, // the ported client's checklist, by name
];

/** Where the rule holds: everything a reader of the repository reads. */
const checked = ['src', 'spec', 'bench', 'docs', 'README.md'];

function filesUnder(path: string): string[] {
  if (path === __filename) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => filesUnder(join(path, name)));
}

function citationsIn(file: string): string[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const found: string[] = [];
  lines.forEach((line, i) => {
    if (citations.some((pattern) => pattern.test(line))) found.push(`${relative(root, file)}:${i + 1}: ${line.trim()}`);
  });
  return found;
}

it('no source, test, bench, docs or README line cites an outside document by item or section number', () => {
  const files = checked.flatMap((path) => filesUnder(join(root, path)));
  expect(files.length).toBeGreaterThan(0);
  expect(files.flatMap(citationsIn)).toEqual([]);
});

it('the citation patterns catch the forms that used to be written', () => {
  const cited = ['see item 51', 'items 7–22', 'SPEC §6.7', '(BEHAVIOUR §3)', 'per §6.4'];
  const plain = ['5,000 output items', 'a .done repeats nothing', 'the specification of sseMessages', 'RFC 9110 section 5.6.7'];
  expect(cited.filter((line) => !citations.some((pattern) => pattern.test(line)))).toEqual([]);
  expect(plain.filter((line) => citations.some((pattern) => pattern.test(line)))).toEqual([]);
});

it('every link to docs/behaviour.md names one of its headings', () => {
  const slug = (heading: string) =>
    heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N} -]/gu, '')
      .replace(/ /g, '-');
  const doc = readFileSync(join(root, 'docs/behaviour.md'), 'utf8');
  const anchors = new Set([...doc.matchAll(/^#{2,} (.+)$/gm)].map((m) => slug(m[1]!)));
  const files = checked.flatMap((path) => filesUnder(join(root, path)));
  const links = files.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/behaviour\.md#([\w-]+)/g)].map((m) => `${relative(root, file)} → #${m[1]}`),
  );
  expect(links.length).toBeGreaterThan(0);
  expect(links.filter((link) => !anchors.has(link.split('#')[1]!))).toEqual([]);
});
