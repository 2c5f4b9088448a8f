import { CodexError, CodexHttpError, ProtocolError, UsageLimitError, isCodexError } from '../src/index.js';

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

  it('recognises errors from another copy of the library by brand and class name', () => {
    // Simulate the dual-package hazard: a class with the same name and brand from another module copy.
    const brand = Symbol.for('codex-rx.error');
    class UsageLimitErrorCopy extends Error {}
    Object.defineProperty(UsageLimitErrorCopy, 'name', { value: 'UsageLimitError' });
    const foreign = new UsageLimitErrorCopy('limit');
    Object.defineProperty(foreign, brand, { value: true });
    expect(foreign instanceof UsageLimitError).toBe(true);
    expect(foreign instanceof CodexError).toBe(true);
    expect(foreign instanceof CodexHttpError).toBe(false);
  });
});
