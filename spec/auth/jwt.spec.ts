import { decodeJwtPayload, extractAccountId, jwtExpiresAtMs } from '../../src/auth/jwt.js';
import { CLAIM, makeJwt } from './helpers.js';

describe('JWT claims', () => {
  // A payload whose base64url length is not a multiple of 4, so the padded form really has '='.
  const payload = { [CLAIM]: { chatgpt_account_id: 'acc_headers' }, x: 'ab' };

  it('reads chatgpt_account_id from an unpadded base64url payload', () => {
    const token = makeJwt(payload);
    expect(token.split('.')[1]).not.toContain('=');
    expect(extractAccountId(token)).toBe('acc_headers');
  });

  it('reads chatgpt_account_id from a padded base64url payload', () => {
    const token = makeJwt(payload, { padded: true });
    expect(token.split('.')[1]).toMatch(/=+$/);
    expect(extractAccountId(token)).toBe('acc_headers');
  });

  it('decodes base64url characters (- and _) that plain base64 would not', () => {
    // '?>' style bytes encode to '-'/'_' in base64url.
    const token = makeJwt({ [CLAIM]: { chatgpt_account_id: 'acc' }, pad: '>>>???~~~' });
    expect(token.split('.')[1]).toMatch(/[-_]/);
    expect(extractAccountId(token)).toBe('acc');
  });

  it.each([
    ['not a JWT', 'opaque-token'],
    ['payload is not base64url JSON', 'a.!!!.c'],
    ['payload is JSON but not an object', `a.${Buffer.from('"str"').toString('base64url')}.c`],
    ['no auth claim', makeJwt({ sub: 'x' })],
    ['claim without account id', makeJwt({ [CLAIM]: { other: 1 } })],
    ['account id is not a string', makeJwt({ [CLAIM]: { chatgpt_account_id: 42 } })],
    ['account id is empty', makeJwt({ [CLAIM]: { chatgpt_account_id: '' } })],
  ])('gives no account id when %s', (_name, token) => {
    expect(extractAccountId(token)).toBeUndefined();
  });

  it('reads exp (seconds) as milliseconds, and none when absent', () => {
    expect(jwtExpiresAtMs(makeJwt({ exp: 1_750_000_000 }))).toBe(1_750_000_000_000);
    expect(jwtExpiresAtMs(makeJwt({ sub: 'x' }))).toBeUndefined();
    expect(decodeJwtPayload(makeJwt({ a: 1 }))).toEqual({ a: 1 });
  });
});
