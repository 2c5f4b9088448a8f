import {
  extractInstructions,
  messagesToInputItems,
  prepareCodexMessages,
  toolsToWire,
  type FunctionCallInputItem,
} from '../../src/request/convert.js';
import { assistantMessage, systemMessage, userMessage } from '../../src/messages.js';
import type { ContentBlock, Message } from '../../src/types.js';
import { expectConfigProblem } from '../helpers/configMessage.js';

const FC_ID = /^fc_[0-9a-f]{32}$/;

describe('extractInstructions', () => {
  it('system A, user, system B → "System A\\n\\nSystem B"', () => {
    expect(extractInstructions([systemMessage('System A'), userMessage('Hello'), systemMessage('System B')])).toBe('System A\n\nSystem B');
  });

  it('text blocks of one system message are joined with "\\n"; non-text blocks ignored', () => {
    const system: Message = {
      role: 'system',
      content: [
        { type: 'text', text: 'one' },
        { type: 'image', source: { type: 'url', url: 'https://x/y.png' } },
        { type: 'text', text: 'two' },
      ],
    };
    expect(extractInstructions([system, systemMessage('three')])).toBe('one\ntwo\n\nthree');
  });

  it('blank system messages are dropped; none left → undefined', () => {
    expect(extractInstructions([systemMessage('  \n\t'), userMessage('hi')])).toBeUndefined();
    expect(extractInstructions([systemMessage(' '), systemMessage('kept ')])).toBe('kept ');
    expect(extractInstructions([])).toBeUndefined();
    expect(extractInstructions([{ role: 'system', content: [] }])).toBeUndefined();
  });

  it("blank means White_Space only, as Rust's trim, so a lone U+FEFF is not blank", () => {
    expect(extractInstructions([systemMessage('\u2003\u00a0')])).toBeUndefined();
    expect(extractInstructions([systemMessage('\ufeff')])).toBe('\ufeff');
  });
});

describe('prepareCodexMessages', () => {
  it('a text-only assistant message is kept; text+tool_use keeps only the tool_use', () => {
    const toolTurn: Message = {
      role: 'assistant',
      content: [
        { type: 'text', text: 'I will call a tool' },
        { type: 'tool_use', id: 'call_1', name: 'bash', input: { command: 'mkdir -p poem_generator' } },
      ],
    };
    const prepared = prepareCodexMessages([assistantMessage('Thinking aloud'), toolTurn]);
    expect(prepared).toHaveLength(2);
    expect(prepared[0]!.content).toEqual([{ type: 'text', text: 'Thinking aloud' }]);
    expect(prepared[1]!.content).toEqual([{ type: 'tool_use', id: 'call_1', name: 'bash', input: { command: 'mkdir -p poem_generator' } }]);
  });

  it('system messages are dropped and user messages pass through unchanged', () => {
    const user: Message = {
      role: 'user',
      content: [
        { type: 'text', text: 'x' },
        { type: 'thinking', thinking: 'user thinking is not filtered' },
        { type: 'tool_use', id: 'c', name: 'n', input: {} },
      ],
    };
    const prepared = prepareCodexMessages([systemMessage('sys'), user]);
    expect(prepared).toEqual([user]);
    expect(prepared[0]).toBe(user);
  });

  it('text is kept in assistant messages without tool_use, even next to thinking', () => {
    const msg: Message = {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 't', id: 'rs_1', encryptedContent: 'enc' },
        { type: 'text', text: 'answer' },
      ],
    };
    expect(prepareCodexMessages([msg])[0]!.content).toEqual([
      { type: 'thinking', thinking: '', id: 'rs_1', encryptedContent: 'enc' },
      { type: 'text', text: 'answer' },
    ]);
  });

  it('encrypted thinking is emptied (text, signature, redacted dropped) and keeps its id', () => {
    const msg: Message = {
      role: 'assistant',
      content: [{ type: 'thinking', thinking: 'secret plan', id: 'rs_9', signature: 'sig', encryptedContent: 'gAAA', redacted: true }],
    };
    expect(prepareCodexMessages([msg])).toEqual([
      { role: 'assistant', content: [{ type: 'thinking', thinking: '', id: 'rs_9', encryptedContent: 'gAAA' }] },
    ]);
  });

  it('thinking without encrypted content is dropped', () => {
    const msg: Message = {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'plain', id: 'rs_1', signature: 's' },
        { type: 'text', text: 'a' },
      ],
    };
    expect(prepareCodexMessages([msg])[0]!.content).toEqual([{ type: 'text', text: 'a' }]);
  });

  it('encrypted thinking without an id is dropped (random ids fail verification)', () => {
    const msg: Message = {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'x', encryptedContent: 'enc' },
        { type: 'text', text: 'a' },
      ],
    };
    expect(prepareCodexMessages([msg])[0]!.content).toEqual([{ type: 'text', text: 'a' }]);
  });

  it('tool_use, tool_result and image blocks in assistant messages are kept', () => {
    const blocks: ContentBlock[] = [
      { type: 'image', source: { type: 'url', url: 'https://x/i.png' } },
      { type: 'tool_use', id: 'c1', name: 'n', input: 1 },
      { type: 'tool_result', toolUseId: 'c0', content: 'r' },
    ];
    expect(prepareCodexMessages([{ role: 'assistant', content: blocks }])[0]!.content).toEqual(blocks);
  });

  it('an assistant message left empty is dropped; otherwise role and id are kept', () => {
    const emptied: Message = {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'no encrypted content' },
        { type: 'thinking', thinking: '', encryptedContent: 'no id' },
      ],
      id: 'msg_gone',
    };
    const kept: Message = { role: 'assistant', content: [{ type: 'text', text: 'hi' }], id: 'msg_1' };
    expect(prepareCodexMessages([emptied, kept])).toEqual([kept]);
    expect(prepareCodexMessages([{ role: 'assistant', content: [] }])).toEqual([]);
  });

  it('never mutates its input', () => {
    const msg: Message = {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 't', id: 'rs', encryptedContent: 'e', signature: 's' },
        { type: 'text', text: 'x' },
        { type: 'tool_use', id: 'c', name: 'n', input: {} },
      ],
    };
    const copy = structuredClone(msg);
    prepareCodexMessages([msg]);
    expect(msg).toEqual(copy);
  });
});

describe('messagesToInputItems', () => {
  it('text is input_text for user/system and output_text for assistant; status and id', () => {
    const items = messagesToInputItems([
      userMessage('u'),
      { role: 'assistant', content: [{ type: 'text', text: 'a' }], id: 'msg_a' },
      { role: 'user', content: [{ type: 'text', text: 'u2' }], id: 'msg_u' },
      systemMessage('s'),
      assistantMessage('no id'),
    ]);
    expect(JSON.stringify(items)).toBe(
      '[{"type":"message","role":"user","content":[{"type":"input_text","text":"u"}]},' +
        '{"type":"message","role":"assistant","content":[{"type":"output_text","text":"a"}],"status":"completed","id":"msg_a"},' +
        '{"type":"message","role":"user","content":[{"type":"input_text","text":"u2"}],"id":"msg_u"},' +
        '{"type":"message","role":"system","content":[{"type":"input_text","text":"s"}]},' +
        '{"type":"message","role":"assistant","content":[{"type":"output_text","text":"no id"}],"status":"completed"}]',
    );
  });

  it('images become input_image (base64 → data URL, url as is, detail only when set), for any role', () => {
    const items = messagesToInputItems([
      {
        role: 'assistant',
        content: [
          { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'AAAA' } },
          { type: 'image', source: { type: 'url', url: 'https://e.com/a.jpg' }, detail: 'high' },
        ],
      },
    ]);
    expect(JSON.stringify(items)).toBe(
      '[{"type":"message","role":"assistant","content":[' +
        '{"type":"input_image","image_url":"data:image/png;base64,AAAA"},' +
        '{"type":"input_image","image_url":"https://e.com/a.jpg","detail":"high"}],"status":"completed"}]',
    );
  });

  it('tool_use → function_call with fc_ + 32 hex id, call_id, name, JSON arguments, status', () => {
    const items = messagesToInputItems([
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_1', name: 'read', input: { path: 'a', line: 3 } },
          { type: 'tool_use', id: 'call_2', name: 'read', input: { path: 'b' } },
        ],
      },
    ]) as FunctionCallInputItem[];
    expect(items).toHaveLength(2);
    expect(items[0]!.id).toMatch(FC_ID);
    expect(items[1]!.id).toMatch(FC_ID);
    expect(items[0]!.id).not.toBe(items[1]!.id);
    expect(Object.keys(items[0]!)).toEqual(['type', 'id', 'call_id', 'name', 'arguments', 'status']);
    expect(items[0]).toEqual({
      type: 'function_call',
      id: items[0]!.id,
      call_id: 'call_1',
      name: 'read',
      arguments: '{"line":3,"path":"a"}',
      status: 'completed',
    });
  });

  it('tool_result → function_call_output; a string is sent as it is, anything else as sorted JSON, and isError is not sent', () => {
    const items = messagesToInputItems([
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolUseId: 'call_1', content: 'ok', isError: true },
          { type: 'tool_result', toolUseId: 'call_2', content: { z: 1, a: [{ y: 2, b: null }] } },
          { type: 'tool_result', toolUseId: 'call_3', content: undefined },
        ],
      },
    ]);
    expect(JSON.stringify(items)).toBe(
      '[{"type":"function_call_output","call_id":"call_1","output":"ok","status":"completed"},' +
        '{"type":"function_call_output","call_id":"call_2","output":"{\\"a\\":[{\\"b\\":null,\\"y\\":2}],\\"z\\":1}","status":"completed"},' +
        '{"type":"function_call_output","call_id":"call_3","output":"null","status":"completed"}]',
    );
  });

  it('assistant thinking with id + encryptedContent → reasoning item with the original id', () => {
    const items = messagesToInputItems([
      { role: 'assistant', content: [{ type: 'thinking', thinking: 'text is never replayed', id: 'rs_orig', encryptedContent: 'ENC' }] },
    ]);
    expect(JSON.stringify(items)).toBe('[{"type":"reasoning","id":"rs_orig","content":[],"summary":[],"encrypted_content":"ENC"}]');
  });

  it('thinking without id, without encrypted content, or in a user message sends nothing', () => {
    expect(
      messagesToInputItems([
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'a', encryptedContent: 'E' }] },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'b', id: 'rs_1' }] },
        { role: 'user', content: [{ type: 'thinking', thinking: 'c', id: 'rs_2', encryptedContent: 'E' }] },
      ]),
    ).toEqual([]);
  });

  it('items follow the block order, not a fixed order by kind; one message item sits where the first text/image block is', () => {
    const items = messagesToInputItems([
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: '', id: 'rs_1', encryptedContent: 'E1' },
          { type: 'tool_use', id: 'call_1', name: 'a', input: {} },
          { type: 'text', text: 'first' },
          { type: 'thinking', thinking: '', id: 'rs_2', encryptedContent: 'E2' },
          { type: 'image', source: { type: 'url', url: 'u' } },
          { type: 'tool_result', toolUseId: 'call_0', content: 1 },
          { type: 'text', text: 'second' },
        ],
        id: 'msg_1',
      },
    ]);
    expect(items.map((i) => i.type)).toEqual(['reasoning', 'function_call', 'message', 'reasoning', 'function_call_output']);
    expect(items[2]).toEqual({
      type: 'message',
      role: 'assistant',
      content: [
        { type: 'output_text', text: 'first' },
        { type: 'input_image', image_url: 'u' },
        { type: 'output_text', text: 'second' },
      ],
      status: 'completed',
      id: 'msg_1',
    });
    expect(items[3]).toMatchObject({ id: 'rs_2' });
  });

  it('a user turn with tool results then text keeps outputs before the message', () => {
    const items = messagesToInputItems([
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolUseId: 'c1', content: 'r' },
          { type: 'text', text: 'and now?' },
        ],
      },
    ]);
    expect(items.map((i) => i.type)).toEqual(['function_call_output', 'message']);
  });

  it('unknown block types (documents, …) are dropped; a message with only those yields nothing', () => {
    const doc = { type: 'document', source: { type: 'text', data: 'x' } } as unknown as ContentBlock;
    expect(messagesToInputItems([{ role: 'user', content: [doc] }])).toEqual([]);
    expect(messagesToInputItems([{ role: 'user', content: [doc, { type: 'text', text: 't' }] }])).toHaveLength(1);
  });

  it.each<[string, unknown, string]>([
    ['not an array', 'x', 'messages must be an array, got "x"'],
    ['a message that is not an object', [null], 'messages[0] must be an object, got null'],
    ['an unknown role', [{ role: 'tool', content: [] }], 'messages[0].role must be one of system, user, assistant, got "tool"'],
    ['no content', [{ role: 'user' }], 'messages[0].content must be an array of content blocks, got undefined'],
    ['an id that is not a string', [{ role: 'user', id: 7, content: [] }], 'messages[0].id must be a string, got 7'],
    ['a block that is not an object', [{ role: 'user', content: ['Hi'] }], 'messages[0].content[0] must be an object, got "Hi"'],
    [
      'text that is not a string',
      [userMessage('a'), { role: 'user', content: [{ type: 'text', text: 5 }] }],
      'messages[1].content[0]: text must be a string, got 5',
    ],
    [
      'an image source that is not an object',
      [{ role: 'user', content: [{ type: 'image', source: 'x.png' }] }],
      'messages[0].content[0]: image source must be an object, got "x.png"',
    ],
    [
      'an image source of an unknown type',
      [{ role: 'user', content: [{ type: 'image', source: { type: 'file', path: 'x' } }] }],
      'messages[0].content[0]: image source type must be "base64" or "url", got "file"',
    ],
  ])('bad input (%s) is a ConfigError naming the place, then what to change', (_name, messages, problem) => {
    expectConfigProblem(() => messagesToInputItems(messages as Message[]), problem);
  });

  it('input that JSON cannot carry is a ConfigError naming the place, then what to change', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expectConfigProblem(
      () => messagesToInputItems([{ role: 'assistant', content: [{ type: 'tool_use', id: 'c', name: 'n', input: circular }] }]),
      'messages[0].content[0].input is not JSON-serialisable: circular structure',
    );
  });
});

describe('toolsToWire', () => {
  it('{type, name, description, parameters}; additionalProperties:false at the root only, keys sorted', () => {
    const params = {
      type: 'object',
      properties: { path: { type: 'string' }, opts: { type: 'object', properties: {} } },
      required: ['path'],
    };
    const wire = toolsToWire([{ name: 'read', description: 'Read a file', parameters: params }]);
    expect(JSON.stringify(wire)).toBe(
      '[{"type":"function","name":"read","description":"Read a file","parameters":' +
        '{"additionalProperties":false,"properties":{"opts":{"properties":{},"type":"object"},"path":{"type":"string"}},' +
        '"required":["path"],"type":"object"}}]',
    );
    expect(params).not.toHaveProperty('additionalProperties'); // input untouched
  });

  it('an existing additionalProperties is kept as is', () => {
    const [tool] = toolsToWire([{ name: 't', description: 'd', parameters: { type: 'object', additionalProperties: true } }]);
    expect(tool!.parameters).toEqual({ additionalProperties: true, type: 'object' });
  });

  it('a whole tool spec → its inner "parameters" object is used', () => {
    const [tool] = toolsToWire([
      { name: 't', description: 'd', parameters: { type: 'function', name: 't', parameters: { type: 'object' } } },
    ]);
    expect(JSON.stringify(tool!.parameters)).toBe('{"additionalProperties":false,"type":"object"}');
  });

  it('an inner "parameters" that is not an object → the original value, without additionalProperties', () => {
    const [tool] = toolsToWire([{ name: 't', description: 'd', parameters: { type: 'object', parameters: 'x' } }]);
    expect(JSON.stringify(tool!.parameters)).toBe('{"parameters":"x","type":"object"}');
  });

  it('non-object parameters pass through (null, arrays, strings)', () => {
    const wire = toolsToWire([
      { name: 'a', description: 'd', parameters: null },
      { name: 'b', description: 'd', parameters: ['x'] },
      { name: 'c', description: 'd', parameters: 'schema' },
    ]);
    expect(wire.map((t) => t.parameters)).toEqual([null, ['x'], 'schema']);
  });

  it('bad tools give a ConfigError naming the place, then what to change', () => {
    expectConfigProblem(
      () => toolsToWire([{ name: 1, description: 'd', parameters: {} } as never]),
      'tools[0]: name must be a string, got 1',
    );
    expectConfigProblem(() => toolsToWire({} as never), 'tools must be an array, got an object');
    expectConfigProblem(() => toolsToWire(['read_file'] as never), 'tools[0] must be an object, got "read_file"');
  });
});
