import * as errors from '../src/errors.js';
import {
  AuthError,
  CodexAbortError,
  CodexError,
  CodexHttpError,
  CodexStreamError,
  ConfigError,
  ConnectionError,
  IdleTimeoutError,
  InvalidUtf8Error,
  OutputValidationError,
  ProtocolError,
  StreamTruncatedError,
  UsageLimitError,
  isCodexError,
  type AnyCodexError,
  type CodexErrorByCode,
  type CodexErrorCode,
} from '../src/errors.js';

/** One instance of every error class, by code: adding a code without an entry here fails to compile. */
const examples = {
  ERR_CODEX_HTTP: () => new CodexHttpError('bad', { status: 400, body: '{}' }),
  ERR_CODEX_CONNECTION: () => new ConnectionError('refused'),
  ERR_CODEX_USAGE_LIMIT: () => new UsageLimitError('limit', { planType: 'plus' }),
  ERR_CODEX_STREAM: () => new CodexStreamError('overloaded', { eventType: 'error' }),
  ERR_CODEX_STREAM_TRUNCATED: () => new StreamTruncatedError('ended early'),
  ERR_CODEX_INVALID_UTF8: () => new InvalidUtf8Error('bad bytes'),
  ERR_CODEX_IDLE_TIMEOUT: () => new IdleTimeoutError('quiet', { phase: 'body', timeoutMs: 1 }),
  ERR_CODEX_PROTOCOL: () => new ProtocolError('wrong', { eventType: 'x', issues: [] }),
  ERR_CODEX_AUTH: () => new AuthError('no credentials'),
  ERR_CODEX_CONFIG: () => new ConfigError('bad option'),
  aborted: () => new CodexAbortError('aborted'),
  output_validation: () => new OutputValidationError('not JSON', { text: 'x', issues: [] }),
} satisfies { [K in CodexErrorCode]: () => CodexErrorByCode[K] };

const errorClasses = Object.values(errors).filter(
  (value): value is typeof CodexError => typeof value === 'function' && value.prototype instanceof CodexError,
);

/** An error as another copy of codex-rx (the other build, or a minified bundle) would create it. */
function foreignCopy(of: typeof CodexError, message: string): Error {
  // A minifier renames classes: nothing may depend on the constructor's name.
  const e = class extends Error {};
  Object.defineProperty(e, 'name', { value: 'e' });
  const foreign = new e(message);
  for (let c: unknown = of; c !== Error; c = Object.getPrototypeOf(c)) {
    if (Object.hasOwn(c as object, 'brand')) Object.defineProperty(foreign, (c as typeof CodexError).brand, { value: true });
  }
  return foreign;
}

describe('errors', () => {
  it('subclasses carry their class, code and fields', () => {
    const err = new CodexHttpError('bad', { status: 400, body: '{"x":1}' }, { cause: new Error('root') });
    expect(err).toBeInstanceOf(CodexHttpError);
    expect(err).toBeInstanceOf(CodexError);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(UsageLimitError);
    expect(err.name).toBe('CodexHttpError');
    expect(err.code).toBe('ERR_CODEX_HTTP');
    expect(err.status).toBe(400);
    expect((err.cause as Error).message).toBe('root');
    expect(isCodexError(err)).toBe(true);
    expect(isCodexError(new Error('x'))).toBe(false);
  });

  it('serialises to JSON without the cause object (it may be circular)', () => {
    const cause: Record<string, unknown> = {};
    cause.self = cause;
    const err = new ProtocolError('wrong', { eventType: 'response.output_text.delta', issues: ['delta: expected string'] }, { cause });
    const json = JSON.parse(JSON.stringify(err));
    expect(json).toEqual({
      name: 'ProtocolError',
      code: 'ERR_CODEX_PROTOCOL',
      message: 'wrong',
      eventType: 'response.output_text.delta',
      issues: ['delta: expected string'],
      cause: '[object Object]',
    });
  });

  it('every error class is listed under its code, and each code belongs to one class', () => {
    const byClass = new Map(Object.entries(examples).map(([code, make]) => [make().constructor, code]));
    expect(byClass.size).toBe(Object.keys(examples).length);
    for (const cls of errorClasses) expect(byClass.get(cls)).toBeDefined();
    for (const [code, make] of Object.entries(examples)) {
      const error = make();
      expect(error.code).toBe(code);
      expect(error.name).toBe(error.constructor.name);
    }
    expect(errorClasses).toHaveLength(Object.keys(examples).length);
  });

  it('each class has its own Symbol.for brand, named after the class', () => {
    const brands = errorClasses.map((cls) => {
      expect(Object.hasOwn(cls, 'brand')).toBe(true);
      expect(cls.brand).toBe(Symbol.for(`codex-rx.error.${cls.name}`));
      return cls.brand;
    });
    expect(new Set([...brands, CodexError.brand]).size).toBe(errorClasses.length + 1);
  });

  it.each(Object.entries(examples))('%s from another, minified copy of the library is recognised by its brands alone', (_code, make) => {
    const own = make();
    const cls = own.constructor as typeof CodexError;
    const foreign = foreignCopy(cls, 'from the other build');
    expect(foreign instanceof cls).toBe(true);
    expect(foreign instanceof CodexError).toBe(true);
    expect(isCodexError(foreign)).toBe(true);
    for (const other of errorClasses) if (other !== cls) expect(foreign instanceof other).toBe(false);
  });

  it('a plain object or an Error with only the base brand is not taken for a subclass', () => {
    const baseOnly = foreignCopy(CodexError, 'generic');
    expect(baseOnly instanceof CodexError).toBe(true);
    for (const cls of errorClasses) expect(baseOnly instanceof cls).toBe(false);
    expect({ code: 'ERR_CODEX_HTTP' } instanceof CodexHttpError).toBe(false);
    expect((null as unknown) instanceof CodexError).toBe(false);
  });

  it("a user's subclass without a brand of its own works with instanceof both ways", () => {
    class MyHttpError extends CodexHttpError {}
    const mine = new MyHttpError('mine', { status: 500, body: '' });
    expect(mine).toBeInstanceOf(MyHttpError);
    expect(mine).toBeInstanceOf(CodexHttpError);
    expect(mine).toBeInstanceOf(CodexError);
    expect(new CodexHttpError('theirs', { status: 500, body: '' })).not.toBeInstanceOf(MyHttpError);
  });

  it('narrowing on code gives the subclass (a type test: ts-jest fails the file on a type error)', () => {
    const describeError = (error: unknown): string => {
      if (!isCodexError(error)) return 'other';
      switch (error.code) {
        case 'ERR_CODEX_HTTP':
          return `http ${error.status}`;
        case 'ERR_CODEX_USAGE_LIMIT':
          return `limit ${error.planType ?? '?'}`;
        case 'ERR_CODEX_CONNECTION':
          // @ts-expect-error a ConnectionError has no status
          return `connection ${error.status}`;
        default:
          return error.code;
      }
    };
    expect(describeError(examples.ERR_CODEX_HTTP())).toBe('http 400');
    expect(describeError(examples.ERR_CODEX_USAGE_LIMIT())).toBe('limit plus');
    expect(describeError(examples.aborted())).toBe('aborted');
    expect(describeError(new Error('x'))).toBe('other');

    // Each class's `code` is the key it is listed under (a mismatch is a type error here).
    const codesMatchKeys = (codes: { [K in CodexErrorCode]: CodexErrorByCode[K]['code'] }): { [K in CodexErrorCode]: K } => codes;
    expect(typeof codesMatchKeys).toBe('function');
    // @ts-expect-error 'ERR_CODEX' (the bare base class) is not a code any raised error has
    const bare: CodexErrorCode = 'ERR_CODEX';
    expect(bare).toBe('ERR_CODEX');
    const any: AnyCodexError = examples.aborted();
    expect(any.code).toBe('aborted');
  });
});
