import { firstValueFrom } from 'rxjs';
import { CodexClient } from '../../src/client/CodexClient.js';
import { userMessage } from '../../src/messages.js';
import { fakeAccessToken } from '../../src/testing/index.js';
import { expectConfigProblem, expectConfigRejection } from '../helpers/configMessage.js';

describe('extra headers and the session id: each ConfigError says what is wrong, then what to change', () => {
  it.each<[string, unknown, string]>([
    ['not an object', 'x-team: docs', 'headers must be an object of header names to string values, got "x-team: docs"'],
    ['an array', [['x-team', 'docs']], 'headers must be an object of header names to string values, got an array'],
    ['a name with a space', { 'x team': 'docs' }, 'headers: "x team" is not a valid header name'],
    [
      'a header the client sets',
      { Authorization: 'Bearer other' },
      'headers: "Authorization" is set by the client itself and cannot be replaced',
    ],
    ['a name given twice', { 'X-Team': 'a', 'x-team': 'b' }, 'headers: "x-team" is given twice (header names ignore case)'],
    ['a value that is not a string', { 'x-count': 3 }, 'headers["x-count"] must be a string, got a number'],
    [
      'a line break in a value',
      { 'x-team': 'docs\r\nx-evil: 1' },
      'headers["x-team"] has a character that cannot be sent in a header at index 4',
    ],
  ])('client headers: %s', (_name, headers, problem) => {
    expectConfigProblem(() => new CodexClient({ headers: headers as Record<string, string> }), problem);
  });

  it('a header value that is not a string is described by its kind only (it may be a secret)', () => {
    const error = expectConfigProblem(
      () => new CodexClient({ headers: { 'x-api-key': { secret: 'sk-do-not-show' } as unknown as string } }),
      'headers["x-api-key"] must be a string, got an object',
    );
    expect(error.message).not.toContain('sk-do-not-show');
  });

  it('a call whose headers would replace the credentials fails before anything is sent, with the same form', async () => {
    const client = new CodexClient({ baseUrl: 'http://127.0.0.1:9/backend-api', accessToken: fakeAccessToken('acc_1'), transport: 'sse' });
    await expectConfigRejection(
      firstValueFrom(client.stream([userMessage('Hi')], [], { headers: { 'ChatGPT-Account-Id': 'acc_other' } })),
      'options.headers: "ChatGPT-Account-Id" is set by the client itself and cannot be replaced',
    );
  });

  it.each<[string, unknown, string]>([
    ['empty', '', 'sessionId must be a non-empty string, got ""'],
    ['a number', 42, 'sessionId must be a non-empty string, got 42'],
    ['longer than 64 characters', 'x'.repeat(65), 'sessionId must be at most 64 characters, got 65'],
    ['with a line break', 'conversation\n42', 'sessionId has a character that cannot be sent in a header at index 12'],
  ])('sessionId: %s', (_name, sessionId, problem) => {
    expectConfigProblem(() => new CodexClient({ sessionId: sessionId as string }), problem);
  });
});
