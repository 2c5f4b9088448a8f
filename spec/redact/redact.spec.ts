import { CodexHttpError, ProtocolError } from '../../src/errors.js';
import fc from 'fast-check';
import { REDACTED, redactError, redactRecord, redactText } from '../../src/redact/index.js';
import { propertyParameters } from '../helpers/property.js';

// A token-shaped secret: base64url characters, long like an OAuth access token.
const TOKEN = 'sk_live_Ab3dEfGhIjKlMnOpQrStUvWxYz0123456789-_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij';

const jsonEscaped = (s: string) => [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
const percentEncoded = (s: string) => [...s].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`).join('');

describe('redactText', () => {
  it('replaces the whole secret wherever it appears', () => {
    expect(redactText(`Bearer ${TOKEN} and again ${TOKEN}.`, [TOKEN])).toBe(`Bearer ${REDACTED} and again ${REDACTED}.`);
  });

  it('replaces a truncated echo: a 60-character prefix, a suffix, a middle run of 16', () => {
    expect(redactText(`invalid token ${TOKEN.slice(0, 60)}...`, [TOKEN])).toBe(`invalid token ${REDACTED}...`);
    expect(redactText(`…${TOKEN.slice(-20)}"`, [TOKEN])).toBe(`…${REDACTED}"`);
    expect(redactText(`x ${TOKEN.slice(30, 46)} y`, [TOKEN])).toBe(`x ${REDACTED} y`);
  });

  it('leaves runs shorter than 16 characters of a secret alone', () => {
    expect(redactText(`x ${TOKEN.slice(30, 45)} y`, [TOKEN])).toBe(`x ${TOKEN.slice(30, 45)} y`);
  });

  it('replaces the JSON \\u-escaped form, whole or in part', () => {
    const text = `{"message":"bad ${jsonEscaped(TOKEN.slice(0, 40))}"}`;
    expect(redactText(text, [TOKEN])).toBe(`{"message":"bad ${REDACTED}"}`);
    const mixed = `{"message":"${TOKEN.slice(0, 10)}\\u${TOKEN.charCodeAt(10).toString(16).padStart(4, '0')}${TOKEN.slice(11, 30)}"}`;
    expect(redactText(mixed, [TOKEN])).toBe(`{"message":"${REDACTED}"}`);
  });

  it('replaces the percent-encoded form, and a twice-escaped JSON form', () => {
    expect(redactText(`GET /cb?t=${percentEncoded(TOKEN.slice(5, 40))}&x=1`, [TOKEN])).toBe(`GET /cb?t=${REDACTED}&x=1`);
    const twice = JSON.stringify(JSON.stringify({ m: jsonEscaped(TOKEN) }));
    expect(redactText(twice, [TOKEN])).not.toMatch(/\\u0041b3dEf|Ab3dEfGhIj/);
  });

  it('replaces JWT-shaped strings and token fields even when the secret is not known', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl';
    expect(redactText(`token ${jwt} end`)).toBe(`token ${REDACTED} end`);
    expect(redactText('{"refresh_token":"rt_1","n":1}')).toBe(`{"refresh_token":"${REDACTED}","n":1}`);
    expect(redactText('a=1&access_token=xyz&b=2')).toBe(`a=1&access_token=${REDACTED}&b=2`);
  });

  it('replaces OpenAI API keys and Authorization credentials even when the key is not known', () => {
    const key = 'sk-proj-Zx9_Yw8-Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0';
    expect(redactText(`Incorrect API key provided: ${key}.`)).toBe(`Incorrect API key provided: ${REDACTED}.`);
    expect(redactText('legacy sk-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 key')).toBe(`legacy ${REDACTED} key`);
    expect(redactText(`authorization: Bearer ${key.slice(3)}\r\n`)).toBe(`authorization: Bearer ${REDACTED}\r\n`);
    expect(redactText('{"Authorization":"Basic dXNlcjpwYXNz","apiKey":"k1"}')).toBe(
      `{"Authorization":"${REDACTED}","apiKey":"${REDACTED}"}`,
    );
    // Prose is left alone: short words after "Bearer", and "sk-" without a key's length.
    expect(redactText('use Bearer auth with a task-sk-prefixed name, sk-short')).toBe(
      'use Bearer auth with a task-sk-prefixed name, sk-short',
    );
  });

  it('removes any OpenAI API key from any text, told about it or not, in plain, JSON-escaped and percent-encoded form', () => {
    const keyChars = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-');
    const key = fc
      .tuple(fc.constantFrom('sk-', 'sk-proj-', 'sk-svcacct-'), fc.array(keyChars, { minLength: 20, maxLength: 80 }))
      .map(([prefix, chars]) => `${prefix}${chars.join('')}`);
    // Prose around it: anything but the characters a key or an escape is made of, so where the key ends is clear.
    const prose = fc.string({ maxLength: 40 }).map((text) => text.replace(/[\w\\%-]/g, ' '));
    fc.assert(
      fc.property(key, prose, prose, fc.boolean(), fc.constantFrom('plain', 'json', 'percent'), (secret, before, after, told, form) => {
        const shown = form === 'json' ? jsonEscaped(secret) : form === 'percent' ? percentEncoded(secret) : secret;
        const out = redactText(`${before}${shown}${after}`, told ? [secret] : []);
        expect(out).toBe(`${before}${REDACTED}${after}`);
      }),
      propertyParameters(),
    );
  });

  it('replaces a short known secret exactly, and ignores blank ones', () => {
    expect(redactText('used rt_123 twice', ['rt_123', '', '  ', undefined])).toBe(`used ${REDACTED} twice`);
    expect(redactText('nothing secret here', [])).toBe('nothing secret here');
  });

  it('keeps a megabyte of ordinary text as it was, apart from the secret', () => {
    const text = `${'lorem ipsum dolor sit amet '.repeat(40_000)}${TOKEN.slice(0, 20)}`;
    const out = redactText(text, [TOKEN]);
    expect(out.endsWith(REDACTED)).toBe(true);
    expect(out.length).toBe(text.length - 20 + REDACTED.length);
  });
});

describe('redactError', () => {
  it('scrubs message, stack, body, issues and the failure capture, through the cause chain, keeping the class', () => {
    const cause = new Error(`socket said ${TOKEN.slice(0, 30)}`);
    const error = new CodexHttpError(`bad ${TOKEN}`, { status: 401, body: `{"error":"${jsonEscaped(TOKEN)}"}` }, { cause });
    error.failure = { provider: 'openai-codex', model: 'm', requestPayload: '{}', responsePayload: `echo ${TOKEN.slice(3, 50)}` };
    const protocol = new ProtocolError('bad event', { eventType: 'x', issues: [`delta: ${TOKEN}`] });

    expect(redactError(error, [TOKEN])).toBe(error);
    redactError(protocol, [TOKEN]);

    expect(error).toBeInstanceOf(CodexHttpError);
    const everything = JSON.stringify([
      error,
      error.message,
      error.stack,
      error.body,
      error.failure,
      cause.message,
      cause.stack,
      protocol.issues,
    ]);
    expect(everything).not.toContain(TOKEN.slice(0, 16));
    expect(everything).not.toContain(TOKEN.slice(20, 36));
    expect(error.message).toBe(`bad ${REDACTED}`);
    expect(protocol.issues).toEqual([`delta: ${REDACTED}`]);
  });
});

describe('redactRecord', () => {
  it('copies a diagnostic with every string and carried error scrubbed', () => {
    const error = new Error(`x ${TOKEN}`);
    const diagnostic = { type: 'retry', attempt: 1, delayMs: 5, error, detail: { data: [`${TOKEN.slice(0, 17)}`] } };
    const out = redactRecord(diagnostic, [TOKEN]);
    expect(out).not.toBe(diagnostic);
    expect(out).toEqual({ type: 'retry', attempt: 1, delayMs: 5, error, detail: { data: [REDACTED] } });
    expect(error.message).toBe(`x ${REDACTED}`);
  });
});
