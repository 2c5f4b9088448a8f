import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { AuthError } from '../../src/errors.js';
import { withFileLock } from '../../src/auth/lock.js';
import { listTree, rejectionOf, tmpDir } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('withFileLock: exclusive cross-process lock without native deps', () => {
  let dir: string;
  let lockPath: string;
  beforeEach(async () => {
    dir = await tmpDir();
    lockPath = join(dir, 'auth.json.lock');
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('critical sections never overlap, and the lock file is gone afterwards', async () => {
    let inside = 0;
    let maxInside = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        withFileLock(lockPath, async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await sleep(5);
          order.push(i);
          inside--;
        }),
      ),
    );
    expect(maxInside).toBe(1);
    expect(order.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await listTree(dir)).toEqual([]);
  });

  it('creates the lock file 0600 while held, and returns what the section returns', async () => {
    const result = await withFileLock(lockPath, async () => {
      expect((await fs.stat(lockPath)).mode & 0o777).toBe(0o600);
      return 42;
    });
    expect(result).toBe(42);
  });

  it('releases the lock when the section throws', async () => {
    const boom = new Error('boom');
    expect(await rejectionOf(withFileLock(lockPath, async () => Promise.reject(boom)))).toBe(boom);
    expect(await listTree(dir)).toEqual([]);
  });

  it('breaks a stale lock (a crashed holder) and takes it', async () => {
    await fs.writeFile(lockPath, 'dead-process');
    const old = new Date(Date.now() - 120_000);
    await fs.utimes(lockPath, old, old);
    expect(await withFileLock(lockPath, async () => 'took it', { staleMs: 30_000, timeoutMs: 2_000 })).toBe('took it');
    expect(await listTree(dir)).toEqual([]);
  });

  it('gives up with an AuthError after timeoutMs when a live lock is held', async () => {
    await fs.writeFile(lockPath, 'live-process');
    const error = await rejectionOf(withFileLock(lockPath, async () => 'never', { staleMs: 60_000, timeoutMs: 150 }));
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toContain(`waiting for the lock ${lockPath}`);
    expect(await fs.readFile(lockPath, 'utf8')).toBe('live-process'); // someone else's lock is left alone
  });

  it('a holder keeps its lock fresh (heartbeat), so a long section is not broken as stale', async () => {
    let secondEntered = false;
    const first = withFileLock(
      lockPath,
      async () => {
        await sleep(750);
        expect(secondEntered).toBe(false);
      },
      { staleMs: 250 },
    );
    await sleep(20);
    const second = withFileLock(
      lockPath,
      async () => {
        secondEntered = true;
      },
      { staleMs: 250, timeoutMs: 5_000 },
    );
    await Promise.all([first, second]);
    expect(secondEntered).toBe(true);
  });

  it('does not remove a lock it no longer owns', async () => {
    await withFileLock(lockPath, async () => {
      // Someone judged ours stale and replaced it.
      await fs.rm(lockPath);
      await fs.writeFile(lockPath, 'new-owner');
    });
    expect(await fs.readFile(lockPath, 'utf8')).toBe('new-owner');
  });

  it('a lock in a missing folder is an AuthError (nothing is created)', async () => {
    const error = await rejectionOf(withFileLock(join(dir, 'missing', 'x.lock'), async () => 1));
    expect(error).toBeInstanceOf(AuthError);
    expect(await listTree(dir)).toEqual([]);
  });
});
