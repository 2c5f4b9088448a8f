import { promises as fs } from 'node:fs';
import { defer, type Observable } from 'rxjs';
import { AuthError } from '../../errors.js';
import { PROVIDER_KEY, readAuthFile, writeAuthFileAtomic } from '../authFile.js';
import { withFileLock } from '../lock.js';
import { resolveAuthFilePath } from '../resolveCodexAuth.js';
import type { LogoutOptions } from './types.js';

/**
 * Signs codex-rx out: removes its credential from its auth file, under the same lock as a
 * refresh. Other entries of the file are kept; a file left empty is deleted. Signing out when
 * signed out is not an error. The Codex CLI's own sign-in is never touched.
 *
 * ## Example
 * ```ts
 * import { logout } from 'codex-rx';
 *
 * logout().subscribe({ complete: () => console.log('Signed out') });
 * ```
 *
 * @param options The auth file.
 * @return An Observable that emits once, when the credential is gone, and completes.
 */
export function logout(options: LogoutOptions = {}): Observable<void> {
  return defer(async () => {
    const path = resolveAuthFilePath({ authFile: options.authFile });
    const contents = await readAuthFile(path);
    if (contents === undefined || !(PROVIDER_KEY in contents)) return;
    await withFileLock(`${path}.lock`, async () => {
      const current = await readAuthFile(path);
      if (current === undefined || !(PROVIDER_KEY in current)) return;
      const { [PROVIDER_KEY]: _removed, ...rest } = current;
      if (Object.keys(rest).length > 0) return writeAuthFileAtomic(path, rest);
      try {
        await fs.unlink(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
          throw new AuthError(`Failed to remove the auth file (${path})`, { cause: error });
      }
    });
  });
}
