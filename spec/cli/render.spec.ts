import {
  createStyle,
  formatError,
  formatUsage,
  initialRenderState,
  renderEvent,
  renderJsonLine,
  shouldUseColor,
  type RenderState,
} from '../../src/cli/render.js';
import { CodexHttpError, ConnectionError, UsageLimitError } from '../../src/errors.js';
import { redactText as redact } from '../../src/redact/index.js';
import type { CodexEvent } from '../../src/types.js';

const plain = createStyle(false);
const color = createStyle(true);

/** Renders a sequence from the start, returning the whole output and the last state. */
function renderAll(events: CodexEvent[], style = plain): { output: string; state: RenderState } {
  let state = initialRenderState;
  let output = '';
  for (const event of events) {
    const r = renderEvent(state, event, style);
    state = r.state;
    output += r.output;
  }
  return { output, state };
}

const reasoning = (delta: string, index = 0): CodexEvent => ({ type: 'reasoning-delta', delta, outputIndex: 0, index, kind: 'summary' });
const text = (delta: string): CodexEvent => ({ type: 'text-delta', delta, outputIndex: 1, contentIndex: 0 });
const callDelta = (raw: string, id = 'call_1', name = 'get_weather'): CodexEvent => ({
  type: 'tool-call-delta',
  toolCall: { id, name, input: {}, rawInputJson: raw },
});
const done: CodexEvent = { type: 'done', responseId: 'resp_1', status: 'completed' };

describe('shouldUseColor', () => {
  it('colours a TTY only, never with NO_COLOR or TERM=dumb, always with FORCE_COLOR', () => {
    expect(shouldUseColor(true, {})).toBe(true);
    expect(shouldUseColor(false, {})).toBe(false);
    expect(shouldUseColor(undefined, {})).toBe(false);
    expect(shouldUseColor(true, { NO_COLOR: '1' })).toBe(false);
    expect(shouldUseColor(true, { NO_COLOR: '' })).toBe(true);
    expect(shouldUseColor(true, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
    expect(shouldUseColor(true, { TERM: 'dumb' })).toBe(false);
    expect(shouldUseColor(false, { FORCE_COLOR: '1' })).toBe(true);
    expect(shouldUseColor(true, { FORCE_COLOR: '0' })).toBe(true);
    expect(shouldUseColor(false, { FORCE_COLOR: '0' })).toBe(false);
  });
});

describe('renderEvent', () => {
  it('writes text deltas as they come, and ends the line at done', () => {
    const first = renderEvent(initialRenderState, text('Hel'), plain);
    expect(first.output).toBe('Hel');
    const second = renderEvent(first.state, text('lo'), plain);
    expect(second.output).toBe('lo');
    expect(second.state.atLineStart).toBe(false);
    expect(renderEvent(second.state, done, plain).output).toBe('\n');
  });

  it('puts reasoning under a thinking line, then a blank line before the text', () => {
    expect(renderAll([reasoning('Let me'), reasoning(' think.'), text('Answer.'), done]).output).toBe(
      'thinking\nLet me think.\n\nAnswer.\n',
    );
  });

  it('dims reasoning (each delta closed, so an interruption leaves no open style) and not the text', () => {
    const { output } = renderAll([reasoning('Hmm'), text('Yes')], color);
    expect(output).toBe('\x1b[2m\x1b[1mthinking\x1b[22m\x1b[22m\n\x1b[2mHmm\x1b[22m\n\nYes');
  });

  it('separates reasoning parts with a blank line', () => {
    expect(renderAll([reasoning('One.', 0), reasoning('Two.', 1)]).output).toBe('thinking\nOne.\n\nTwo.');
  });

  it('streams a tool call: its name, then its arguments as they arrive, then its id', () => {
    const events: CodexEvent[] = [
      text('Checking.'),
      callDelta('{"ci'),
      callDelta('{"city":"Pa'),
      callDelta('{"city":"Paris"}'),
      {
        type: 'tool-calls',
        toolCalls: [{ id: 'call_1', name: 'get_weather', input: { city: 'Paris' }, rawInputJson: '{"city":"Paris"}' }],
      },
      done,
    ];
    const outputs = [];
    let state = initialRenderState;
    for (const event of events) {
      const r = renderEvent(state, event, plain);
      outputs.push(r.output);
      state = r.state;
    }
    expect(outputs).toEqual(['Checking.', '\n\n⚙ get_weather {"ci', 'ty":"Pa', 'ris"}', ' (call_1)\n', '']);
  });

  it('shows a tool call that had no deltas in full, from its parsed input when there is no raw JSON', () => {
    const { output } = renderAll([
      text('Hi'),
      {
        type: 'tool-calls',
        toolCalls: [
          { id: 'call_a', name: 'a', input: { x: 1 } },
          { id: 'call_b', name: 'b', input: {}, rawInputJson: '{"y":2}' },
        ],
      },
    ]);
    expect(output).toBe('Hi\n\n⚙ a {"x":1} (call_a)\n⚙ b {"y":2} (call_b)\n');
  });

  it('a second streamed call starts its own line; the final list completes each one', () => {
    const { output } = renderAll([
      callDelta('{"a"', 'call_1', 'one'),
      callDelta('{"a":1}', 'call_1', 'one'),
      callDelta('{"b":2}', 'call_2', 'two'),
      {
        type: 'tool-calls',
        toolCalls: [
          { id: 'call_1', name: 'one', input: { a: 1 }, rawInputJson: '{"a":1}' },
          { id: 'call_2', name: 'two', input: { b: 2 }, rawInputJson: '{"b":2}' },
        ],
      },
    ]);
    // call_2 interrupted call_1, so the final list shows call_1 again in full, then call_2
    // (no longer the line being written) in full too.
    expect(output).toBe('⚙ one {"a":1}\n⚙ two {"b":2}\n⚙ one {"a":1} (call_1)\n⚙ two {"b":2} (call_2)\n');
  });

  it('the list finishes the call in progress in place when it comes first', () => {
    const { output } = renderAll([
      callDelta('{"b":2}', 'call_2', 'two'),
      {
        type: 'tool-calls',
        toolCalls: [
          { id: 'call_2', name: 'two', input: { b: 2 }, rawInputJson: '{"b":2}' },
          { id: 'call_1', name: 'one', input: { a: 1 }, rawInputJson: '{"a":1}' },
        ],
      },
    ]);
    expect(output).toBe('⚙ two {"b":2} (call_2)\n⚙ one {"a":1} (call_1)\n');
  });

  it('puts the usage on its own dim line at the end, and nothing for content blocks', () => {
    const usage: CodexEvent = {
      type: 'usage',
      usage: { inputTokens: 1342, outputTokens: 187, cacheReadInputTokens: 1024, reasoningTokens: 64 },
    };
    const block: CodexEvent = { type: 'content-block', block: { type: 'text', text: 'Hi' } };
    expect(renderAll([text('Hi'), usage, block, done]).output).toBe(
      'Hi\n\nusage: 1,342 input tokens (1,024 cached) · 187 output tokens (64 reasoning)\n',
    );
    expect(renderAll([text('Hi'), usage], color).output).toBe(
      'Hi\n\n\x1b[2musage: 1,342 input tokens (1,024 cached) · 187 output tokens (64 reasoning)\x1b[22m\n',
    );
  });

  it('reports an incomplete response', () => {
    const incomplete: CodexEvent = { type: 'done', status: 'incomplete', incompleteReason: 'max_output_tokens' };
    expect(renderAll([text('Cut'), incomplete]).output).toBe('Cut\nincomplete: max_output_tokens\n');
    expect(renderAll([{ type: 'done', status: 'incomplete' }]).output).toBe('incomplete: no reason given\n');
  });

  it('never mutates the state it is given', () => {
    const state = renderAll([callDelta('{"a"')]).state;
    const frozen = JSON.parse(JSON.stringify(state));
    renderEvent(state, callDelta('{"a":1}'), plain);
    renderEvent(state, { type: 'tool-calls', toolCalls: [] }, plain);
    expect(state).toEqual(frozen);
  });
});

describe('formatUsage', () => {
  it('leaves out zero or missing cache and reasoning counts', () => {
    expect(formatUsage({ inputTokens: 5, outputTokens: 7 })).toBe('usage: 5 input tokens · 7 output tokens');
    expect(formatUsage({ inputTokens: 5, outputTokens: 7, cacheReadInputTokens: 0, reasoningTokens: 0 })).toBe(
      'usage: 5 input tokens · 7 output tokens',
    );
  });
});

describe('renderJsonLine', () => {
  it('writes one event per line that parses back to the event', () => {
    const event: CodexEvent = { type: 'text-delta', delta: 'a\nb "c"', outputIndex: 0, contentIndex: 0 };
    const line = renderJsonLine(event);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line)).toEqual(event);
  });
});

describe('formatError and redact', () => {
  const jwt = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

  it('gives one line with the message, the code and the HTTP status, no stack', () => {
    const error = new CodexHttpError('Invalid model: nope', { status: 400, body: '{}' });
    expect(formatError(error)).toBe('error: Invalid model: nope (ERR_CODEX_HTTP, HTTP 400)');
    expect(formatError(new UsageLimitError('You have hit your ChatGPT usage limit (plus).'))).toBe(
      'error: You have hit your ChatGPT usage limit (plus). (ERR_CODEX_USAGE_LIMIT)',
    );
    expect(formatError(new TypeError('boom'))).toBe('error: TypeError: boom');
    expect(formatError('odd')).toBe('error: odd');
  });

  it('redacts the given secrets, a truncated echo of one, and anything shaped like a JWT', () => {
    expect(redact(`token ${jwt} and secret-value-123`, ['secret-value-123'])).toBe('token [redacted] and [redacted]');
    expect(formatError(new ConnectionError(`failed with Bearer ${jwt}`))).toBe(
      'error: failed with Bearer [redacted] (ERR_CODEX_CONNECTION)',
    );
    expect(formatError(new ConnectionError(`failed: ${'secret-value-123456789'.slice(0, 17)}…`), ['secret-value-123456789'])).toBe(
      'error: failed: [redacted]… (ERR_CODEX_CONNECTION)',
    );
  });
});
