import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { AuthError } from '../../src/errors.js';
import { resolveAuthFilePath, resolveCodexAuth, resolveCodexCliAuthPath } from '../../src/auth/resolveCodexAuth.js';
import { accountJwt, listTree, makeJwt, NOW, rejectionOf, tmpDir, writeJson } from './helpers.js';

const now = () => NOW;
const FAR = NOW + 3_600_000;

function stored(access: string, accountId = 'acc_file', expires = FAR) {
  return { 'openai-codex': { type: 'oauth', access, refresh: 'rt_file', expires, account_id: accountId } };
}

function cliFile(access: string, accountId: string | null = 'acc_cli_file', idToken?: string) {
  return {
    OPENAI_API_KEY: null,
    tokens: { id_token: idToken ?? makeJwt({ sub: 'x' }), access_token: access, refresh_token: 'rt_cli', account_id: accountId },
    last_refresh: '2025-06-15T00:00:00Z',
  };
}

describe('resolveCodexAuth: sources and precedence', () => {
  let home: string;
  beforeEach(async () => {
    home = await tmpDir();
  });
  afterEach(async () => {
    await fs.rm(home, { recursive: true, force: true });
  });

  /** Sets up all four sources, each with its own account. */
  async function allSources() {
    const config = accountJwt('acc_config');
    const envToken = accountJwt('acc_env');
    const fileToken = accountJwt('acc_authfile');
    const cliToken = accountJwt('acc_cli', { exp: NOW / 1000 + 3600 });
    await fs.mkdir(join(home, '.codex-rx'));
    await writeJson(join(home, '.codex-rx', 'auth.json'), stored(fileToken));
    await fs.mkdir(join(home, '.codex'));
    await writeJson(join(home, '.codex', 'auth.json'), cliFile(cliToken));
    return { config, envToken, fileToken, cliToken };
  }

  it('a configured token wins over env and files, returned untrimmed', async () => {
    const t = await allSources();
    const r = await resolveCodexAuth({
      accessToken: `  ${t.config}\n`,
      env: { OPENAI_CODEX_ACCESS_TOKEN: t.envToken },
      homeDir: home,
      now,
    });
    expect(r).toEqual({ accessToken: `  ${t.config}\n`, accountId: 'acc_config', source: 'config' });
  });

  it('a blank configured token falls through to env OPENAI_CODEX_ACCESS_TOKEN', async () => {
    const t = await allSources();
    const r = await resolveCodexAuth({ accessToken: '   ', env: { OPENAI_CODEX_ACCESS_TOKEN: t.envToken }, homeDir: home, now });
    expect(r).toEqual({ accessToken: t.envToken, accountId: 'acc_env', source: 'env' });
  });

  it('blank env falls through to the default auth file ~/.codex-rx/auth.json', async () => {
    const t = await allSources();
    const r = await resolveCodexAuth({ env: { OPENAI_CODEX_ACCESS_TOKEN: ' \t' }, homeDir: home, now });
    expect(r).toEqual({ accessToken: t.fileToken, accountId: 'acc_authfile', source: 'auth-file' });
  });

  it('without an auth-file entry, the Codex CLI file $HOME/.codex/auth.json is used', async () => {
    const t = await allSources();
    await fs.rm(join(home, '.codex-rx', 'auth.json'));
    const r = await resolveCodexAuth({ env: {}, homeDir: home, now });
    expect(r).toEqual({ accessToken: t.cliToken, accountId: 'acc_cli', source: 'codex-cli' });
  });

  it('an auth file without the openai-codex entry (or empty) falls through to the Codex CLI', async () => {
    const t = await allSources();
    await fs.writeFile(join(home, '.codex-rx', 'auth.json'), ' \n\t ');
    expect((await resolveCodexAuth({ env: {}, homeDir: home, now })).source).toBe('codex-cli');
    await writeJson(join(home, '.codex-rx', 'auth.json'), {});
    expect((await resolveCodexAuth({ env: {}, homeDir: home, now })).accessToken).toBe(t.cliToken);
  });

  it('OPENAI_CODEX_AUTH_FILE overrides the default auth file, and authFile overrides it', async () => {
    await allSources();
    const envFileToken = accountJwt('acc_envfile');
    const optFileToken = accountJwt('acc_optfile');
    await writeJson(join(home, 'env-auth.json'), stored(envFileToken));
    await writeJson(join(home, 'opt-auth.json'), stored(optFileToken));
    const env = { OPENAI_CODEX_AUTH_FILE: join(home, 'env-auth.json') };
    expect((await resolveCodexAuth({ env, homeDir: home, now })).accountId).toBe('acc_envfile');
    const r = await resolveCodexAuth({ env, authFile: join(home, 'opt-auth.json'), homeDir: home, now });
    expect(r).toEqual({ accessToken: optFileToken, accountId: 'acc_optfile', source: 'auth-file' });
    // '~/' in authFile means the home folder.
    expect((await resolveCodexAuth({ env, authFile: '~/opt-auth.json', homeDir: home, now })).accountId).toBe('acc_optfile');
  });

  it('CODEX_HOME moves the Codex CLI file', async () => {
    const cliToken = accountJwt('acc_codex_home');
    await fs.mkdir(join(home, 'elsewhere'));
    await writeJson(join(home, 'elsewhere', 'auth.json'), cliFile(cliToken));
    const env = { CODEX_HOME: join(home, 'elsewhere') };
    expect(await resolveCodexAuth({ env, homeDir: home, now })).toEqual({
      accessToken: cliToken,
      accountId: 'acc_codex_home',
      source: 'codex-cli',
    });
    expect(resolveCodexCliAuthPath({ env, homeDir: home })).toBe(join(home, 'elsewhere', 'auth.json'));
  });

  it('homeDir defaults to env HOME', async () => {
    expect(resolveAuthFilePath({ env: { HOME: home } })).toBe(join(home, '.codex-rx', 'auth.json'));
    expect(resolveCodexCliAuthPath({ env: { HOME: home } })).toBe(join(home, '.codex', 'auth.json'));
  });

  it('account id: the auth file falls back to its account_id when the token has no claim', async () => {
    const opaque = 'opaque-access-token-without-claims';
    await writeJson(join(home, 'a.json'), stored(opaque, 'acc_from_field'));
    expect(await resolveCodexAuth({ env: {}, authFile: join(home, 'a.json'), homeDir: home, now })).toEqual({
      accessToken: opaque,
      accountId: 'acc_from_field',
      source: 'auth-file',
    });
  });

  it('account id: the JWT claim wins over the file account_id', async () => {
    const token = accountJwt('acc_claim');
    await writeJson(join(home, 'a.json'), stored(token, 'acc_field'));
    expect((await resolveCodexAuth({ env: {}, authFile: join(home, 'a.json'), homeDir: home, now })).accountId).toBe('acc_claim');
  });

  it('account id: neither claim nor account_id in the auth file is an AuthError', async () => {
    await writeJson(join(home, 'a.json'), stored('opaque', ''));
    const error = await rejectionOf(resolveCodexAuth({ env: {}, authFile: join(home, 'a.json'), homeDir: home, now }));
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toMatch(/^Failed to extract ChatGPT account ID from access token/);
  });

  it('account id: the Codex CLI file falls back to tokens.account_id, then to the id_token claim', async () => {
    await fs.mkdir(join(home, '.codex'));
    const cli = join(home, '.codex', 'auth.json');
    await writeJson(cli, cliFile('opaque-cli-token', 'acc_cli_field'));
    expect((await resolveCodexAuth({ env: {}, homeDir: home, now })).accountId).toBe('acc_cli_field');
    await writeJson(cli, cliFile('opaque-cli-token', null, accountJwt('acc_from_id_token')));
    expect((await resolveCodexAuth({ env: {}, homeDir: home, now })).accountId).toBe('acc_from_id_token');
    await writeJson(cli, cliFile('opaque-cli-token', null));
    const error = await rejectionOf(resolveCodexAuth({ env: {}, homeDir: home, now }));
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toMatch(/^Failed to extract ChatGPT account ID from access token/);
  });

  it('a configured token without an account claim is an AuthError that says where the token came from', async () => {
    const error = await rejectionOf(resolveCodexAuth({ accessToken: 'opaque', env: {}, homeDir: home, now }));
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toBe('Failed to extract ChatGPT account ID from configured token');
    expect((error as AuthError).code).toBe('ERR_CODEX_AUTH');
  });

  it('an env token without an account claim is an AuthError naming the variable, even with files present', async () => {
    await allSources();
    const error = await rejectionOf(resolveCodexAuth({ env: { OPENAI_CODEX_ACCESS_TOKEN: 'opaque' }, homeDir: home, now }));
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toBe('Failed to extract ChatGPT account ID from OPENAI_CODEX_ACCESS_TOKEN');
  });

  it('no credentials anywhere is an AuthError naming what to set, and nothing is created', async () => {
    const before = await listTree(home);
    const error = await rejectionOf(resolveCodexAuth({ env: {}, homeDir: home, now }));
    expect(error).toBeInstanceOf(AuthError);
    const authFile = join(home, '.codex-rx', 'auth.json');
    expect((error as AuthError).message).toBe(
      `Missing OpenAI Codex credentials. Run \`codex-rx login\` to sign in (it writes ${authFile}), set OPENAI_CODEX_ACCESS_TOKEN, ` +
        `or run \`codex login\` to create ${join(home, '.codex', 'auth.json')}`,
    );
    // Deliberate change from the seed: reading auth never creates the file or its folder.
    expect(await listTree(home)).toEqual(before);
    await expect(fs.stat(join(home, '.codex-rx'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a configured authFile in a missing folder is neither created nor an error of its own', async () => {
    const authFile = join(home, 'missing', 'dir', 'auth.json');
    const error = await rejectionOf(resolveCodexAuth({ env: {}, authFile, homeDir: home, now }));
    expect((error as Error).message).toContain(`(it writes ${authFile})`);
    expect(await listTree(home)).toEqual([]);
  });

  it('reading a valid, unexpired auth file changes nothing on disk (no lock, no rewrite)', async () => {
    const t = await allSources();
    const file = join(home, '.codex-rx', 'auth.json');
    const statBefore = await fs.stat(file);
    const textBefore = await fs.readFile(file, 'utf8');
    const treeBefore = await listTree(home);
    expect((await resolveCodexAuth({ env: {}, homeDir: home, now })).accessToken).toBe(t.fileToken);
    expect(await fs.readFile(file, 'utf8')).toBe(textBefore);
    expect((await fs.stat(file)).mtimeMs).toBe(statBefore.mtimeMs);
    expect(await listTree(home)).toEqual(treeBefore);
  });

  it('an auth file that is not JSON is an AuthError "Invalid JSON in OpenAI Codex auth file"', async () => {
    const authFile = join(home, 'bad.json');
    await fs.writeFile(authFile, '{"openai-codex": {');
    const error = await rejectionOf(resolveCodexAuth({ env: {}, authFile, homeDir: home, now }));
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toBe(`Invalid JSON in OpenAI Codex auth file (${authFile})`);
  });

  it.each([
    ['a JSON array', '[]', 'the file holds an array'],
    [
      'an entry missing a field',
      JSON.stringify({ 'openai-codex': { type: 'oauth', access: 'a', refresh: 'r', expires: 1 } }),
      'entry "openai-codex": "account_id" missing',
    ],
    [
      'an entry with expires as a string',
      JSON.stringify({ 'openai-codex': { type: 'oauth', access: 'a', refresh: 'r', expires: '1', account_id: 'x' } }),
      'entry "openai-codex": "expires" is a string, not a number',
    ],
    [
      'another provider entry of another shape',
      JSON.stringify({ ...stored('a'), other: { apiKey: 'k' } }),
      'entry "other": "type" missing, "access" missing, "refresh" missing, "expires" missing, "account_id" missing',
    ],
  ])('an auth file that is %s is an AuthError that says what is wrong and what shape is expected', async (_name, text, problem) => {
    const authFile = join(home, 'bad.json');
    await fs.writeFile(authFile, text);
    const error = await rejectionOf(resolveCodexAuth({ env: {}, authFile, homeDir: home, now }));
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toBe(
      `OpenAI Codex auth file (${authFile}) is valid JSON of the wrong shape: ${problem}. ` +
        'Expected {"openai-codex": {"type": string, "access": string, "refresh": string, "expires": number (Unix ms), "account_id": string}}',
    );
  });

  it('an auth file path that is a folder is an AuthError with the fs error as cause', async () => {
    const error = await rejectionOf(resolveCodexAuth({ env: {}, authFile: home, homeDir: home, now }));
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toBe(`Failed to read OpenAI Codex auth file (${home})`);
    expect(((error as AuthError).cause as NodeJS.ErrnoException).code).toBe('EISDIR');
  });
});

describe('resolveCodexAuth: the Codex CLI file is read only', () => {
  let home: string;
  beforeEach(async () => {
    home = await tmpDir();
    await fs.mkdir(join(home, '.codex'));
  });
  afterEach(async () => {
    await fs.rm(home, { recursive: true, force: true });
  });

  it('an expired Codex CLI token (exp in the past) is an AuthError telling to run `codex`; the file is untouched', async () => {
    const file = join(home, '.codex', 'auth.json');
    await writeJson(file, cliFile(accountJwt('acc_cli', { exp: NOW / 1000 - 10 })));
    const before = await fs.readFile(file, 'utf8');
    const error = await rejectionOf(resolveCodexAuth({ env: {}, homeDir: home, now, authTokenUrl: 'http://127.0.0.1:9/never' }));
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toContain(`The Codex CLI access token in ${file} has expired. Run \`codex\` once to refresh it`);
    expect(await fs.readFile(file, 'utf8')).toBe(before);
    expect(await listTree(home)).toEqual([join(home, '.codex'), file]);
  });

  it('expiry uses the same 60 s skew: 59 s left is expired, 61 s left is fine', async () => {
    const file = join(home, '.codex', 'auth.json');
    await writeJson(file, cliFile(accountJwt('acc_cli', { exp: NOW / 1000 + 59 })));
    await expect(resolveCodexAuth({ env: {}, homeDir: home, now })).rejects.toBeInstanceOf(AuthError);
    await writeJson(file, cliFile(accountJwt('acc_cli', { exp: NOW / 1000 + 61 })));
    expect((await resolveCodexAuth({ env: {}, homeDir: home, now })).source).toBe('codex-cli');
  });

  it('a Codex CLI token without exp is used as is', async () => {
    const token = accountJwt('acc_noexp');
    await writeJson(join(home, '.codex', 'auth.json'), cliFile(token));
    expect((await resolveCodexAuth({ env: {}, homeDir: home, now })).accessToken).toBe(token);
  });

  it('a Codex CLI file without ChatGPT tokens (API-key login) counts as no credentials', async () => {
    await writeJson(join(home, '.codex', 'auth.json'), { OPENAI_API_KEY: 'sk-test', tokens: null });
    const error = await rejectionOf(resolveCodexAuth({ env: {}, homeDir: home, now }));
    expect((error as Error).message).toMatch(/^Missing OpenAI Codex credentials/);
  });

  it('invalid JSON in the Codex CLI file is an AuthError', async () => {
    const file = join(home, '.codex', 'auth.json');
    await fs.writeFile(file, '{"tokens": ');
    const error = await rejectionOf(resolveCodexAuth({ env: {}, homeDir: home, now }));
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toBe(`Invalid JSON in Codex CLI auth file (${file})`);
  });
});
