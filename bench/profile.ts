/**
 * CPU profile of parseResponseStream(): runs the pipeline in a child under `node --cpu-prof`, then
 * aggregates self time by function and by file (src/ files, packages, GC) from the .cpuprofile.
 *
 * Child mode: `node --cpu-prof -r ts-node/register/transpile-only bench/profile.ts --child <body file> <chunkSize> <runs>`
 * (the parent writes the transcript to a file so generating it stays out of the profile).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseResponseStream } from '../src/parseResponseStream.js';
import { runOperator } from './pipeline.js';
import { chunk, generateTranscript } from './transcript.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One row of the aggregated profile. */
export interface ProfileRow {
  what: string;
  selfMs: number;
  share: number;
}

/** The profile, summarised. */
export interface ProfileSummary {
  chunkSize: number;
  totalMs: number;
  functions: ProfileRow[];
  files: ProfileRow[];
}

const ROOT = join(__dirname, '..');

function where(url: string): string {
  if (!url) return '';
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (path.startsWith('node:')) return 'node internals';
  if (path.startsWith(ROOT)) return relative(ROOT, path);
  return path;
}

/**
 * Aggregates self time from a V8 .cpuprofile, counting only samples taken at or after `fromUs`
 * (V8's sample clock is the monotonic clock `process.hrtime` reads, in µs), so start-up and
 * ts-node's compiling stay out.
 */
export function summarise(profile: CpuProfile, chunkSize: number, fromUs = 0, top = 25): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  for (const n of profile.nodes) byId.set(n.id, n);
  const self = new Map<number, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    at += dt;
    if (at < fromUs) continue;
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + dt);
  }
  let total = 0;
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  for (const [id, us] of self) {
    const cf = byId.get(id)!.callFrame;
    total += us;
    const w = where(cf.url);
    const fKey = w ? `${cf.functionName || '(anonymous)'} — ${w}:${cf.lineNumber + 1}` : cf.functionName || '(anonymous)';
    fn.set(fKey, (fn.get(fKey) ?? 0) + us);
    const fileKey = w || cf.functionName || '(native)';
    file.set(fileKey, (file.get(fileKey) ?? 0) + us);
  }
  const rows = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([what, us]) => ({ what, selfMs: us / 1000, share: us / total }));
  return { chunkSize, totalMs: total / 1000, functions: rows(fn), files: rows(file) };
}

/** Profiles `runs` runs of parseResponseStream() over `body` in `chunkSize` chunks. */
export function profilePipeline(body: Uint8Array, chunkSize: number, runs: number): ProfileSummary | string {
  const dir = mkdtempSync(join(tmpdir(), 'codex-rx-prof-'));
  try {
    const bodyFile = join(dir, 'body.sse');
    writeFileSync(bodyFile, body);
    const r = spawnSync(
      process.execPath,
      [
        '--cpu-prof',
        `--cpu-prof-dir=${dir}`,
        '-r',
        'ts-node/register/transpile-only',
        __filename,
        '--child',
        bodyFile,
        String(chunkSize),
        String(runs),
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 300_000 },
    );
    if (r.status !== 0) return `profile child failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout).slice(0, 300)}`;
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) return 'no .cpuprofile written';
    const mark = /PROFILE_FROM_US=(\d+)/.exec(r.stdout);
    return summarise(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, chunkSize, mark ? Number(mark[1]) : 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function child(): void {
  const bodyFile = process.argv[3]!;
  const [chunkSize, runs] = process.argv.slice(4).map(Number) as [number, number];
  const chunks = chunk(new Uint8Array(readFileSync(bodyFile)), chunkSize);
  // One untimed run first: module loading, ts-node compiling and the first JIT tiers.
  runOperator(parseResponseStream(), chunks);
  process.stdout.write(`PROFILE_FROM_US=${process.hrtime.bigint() / 1000n}\n`);
  for (let i = 0; i < runs; i++) {
    const got = runOperator(parseResponseStream(), chunks);
    if (!got.done) throw new Error('pipeline did not reach the terminal event');
  }
}

/** `node -r ts-node/register/transpile-only bench/profile.ts [MB] [chunk size] [runs]`: one profile, printed. */
function main(): void {
  const [sizeMB = 10, chunkSize = 16384, runs = 4] = process.argv.slice(2).map(Number);
  const t = generateTranscript({ sizeBytes: sizeMB * 1e6 });
  const p = profilePipeline(t.bytes, chunkSize, runs);
  if (typeof p === 'string') throw new Error(p);
  const pct = (x: ProfileRow) => `${x.selfMs.toFixed(1).padStart(8)} ms ${(x.share * 100).toFixed(1).padStart(5)}%  ${x.what}`;
  process.stdout.write(
    [`${chunkSize} B chunks, ${p.totalMs.toFixed(0)} ms sampled`, '', ...p.files.map(pct), '', ...p.functions.map(pct), ''].join('\n'),
  );
}

if (process.argv[2] === '--child') child();
else if (require.main === module) main();
