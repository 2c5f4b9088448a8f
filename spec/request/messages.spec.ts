import { assistantMessage, systemMessage, userMessage } from '../../src/messages.js';

describe('message helpers', () => {
  it('build one-text-block messages with the right role', () => {
    expect(userMessage('u')).toEqual({ role: 'user', content: [{ type: 'text', text: 'u' }] });
    expect(systemMessage('s')).toEqual({ role: 'system', content: [{ type: 'text', text: 's' }] });
    expect(assistantMessage('a')).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'a' }] });
  });

  it('return a fresh object each call', () => {
    const a = userMessage('x');
    const b = userMessage('x');
    expect(a).not.toBe(b);
    expect(a.content).not.toBe(b.content);
  });
});
