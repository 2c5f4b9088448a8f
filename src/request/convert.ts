import { randomUUID } from 'node:crypto';
import { toolParametersSchema } from '../agent/schema.js';
import { ConfigError } from '../errors.js';
import { describe } from '../client/validate.js';
import { compareCodePoints, sortedJsonStringify, sortedJsonValue } from '../json/sortedJson.js';
import type { ContentBlock, Message, ThinkingBlock, Tool } from '../types.js';

/*
 * Messages and tools → Responses API input items, as the Rust client converted them, except
 * that reasoning is replayed with its original id and items follow the order of the message's
 * content blocks (docs/behaviour.md#message-conversion).
 *
 * JSON values the Rust client held as `serde_json::Value` (tool arguments, tool results, tool
 * parameter schemas) are serialized with object keys sorted recursively, by code point (= UTF-8
 * byte order, Rust's `String` order): serde_json without `preserve_order` keeps objects in a
 * BTreeMap. Numbers use JavaScript's formatting.
 */

/** `{type: "input_text", text}`: user/system text. */
export interface InputTextPart {
  type: 'input_text';
  text: string;
}
/** `{type: "output_text", text}`: assistant text. */
export interface OutputTextPart {
  type: 'output_text';
  text: string;
}
/** `{type: "input_image", image_url, detail?}`: an image, for any role. */
export interface InputImagePart {
  type: 'input_image';
  image_url: string;
  detail?: string;
}
/** One part of a message item's content. */
export type ContentPart = InputTextPart | OutputTextPart | InputImagePart;

/** A message item. Key order: type, role, content, status, id. */
export interface MessageInputItem {
  type: 'message';
  role: 'system' | 'user' | 'assistant';
  content: ContentPart[];
  /** `"completed"` for assistant messages only. */
  status?: 'completed';
  id?: string;
}
/** A replayed tool call. Key order: type, id, call_id, name, arguments, status. */
export interface FunctionCallInputItem {
  type: 'function_call';
  /** `fc_` + 32 random hex digits. */
  id: string;
  call_id: string;
  name: string;
  /** The tool input as a JSON string (keys sorted). */
  arguments: string;
  status: 'completed';
}
/** A tool result. Key order: type, call_id, output, status. */
export interface FunctionCallOutputInputItem {
  type: 'function_call_output';
  call_id: string;
  /** The result content: a string as it is, anything else as JSON (keys sorted). */
  output: string;
  status: 'completed';
}
/** Replayed encrypted reasoning. Key order: type, id, content, summary, encrypted_content. */
export interface ReasoningInputItem {
  type: 'reasoning';
  /** The original `rs_…` id: the backend cannot verify encrypted reasoning under any other. */
  id: string;
  content: [];
  summary: [];
  encrypted_content: string;
}
/** One item of the request's `input`. */
export type InputItem = MessageInputItem | FunctionCallInputItem | FunctionCallOutputInputItem | ReasoningInputItem;

/** A function tool on the wire. Key order: type, name, description, parameters. */
export interface WireTool {
  type: 'function';
  name: string;
  description: string;
  parameters: unknown;
}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

const ROLES: ReadonlySet<string> = new Set(['system', 'user', 'assistant']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks the shape of the messages (an array of `{role, content: [...]}` objects). Blocks of
 * unknown type are left for the converter to drop, as the Rust client drops documents.
 */
function assertMessages(messages: unknown): asserts messages is Message[] {
  if (!Array.isArray(messages)) {
    throw new ConfigError(`messages must be an array, got ${describe(messages)}. Pass an array such as [userMessage('Hello')].`);
  }
  for (let i = 0; i < messages.length; i++) {
    const m: unknown = messages[i];
    if (!isRecord(m)) {
      throw new ConfigError(
        `messages[${i}] must be an object, got ${describe(m)}. Use userMessage(), assistantMessage() or systemMessage() to make one.`,
      );
    }
    if (typeof m.role !== 'string' || !ROLES.has(m.role)) {
      throw new ConfigError(`messages[${i}].role must be one of system, user, assistant, got ${describe(m.role)}. Pick one of those.`);
    }
    if (!Array.isArray(m.content)) {
      throw new ConfigError(
        `messages[${i}].content must be an array of content blocks, got ${describe(m.content)}. Pass an array such as [{ type: 'text', text: 'Hello' }].`,
      );
    }
    if (m.id !== undefined && typeof m.id !== 'string') {
      throw new ConfigError(`messages[${i}].id must be a string, got ${describe(m.id)}. Pass the id as a string, or leave it out.`);
    }
    for (let j = 0; j < m.content.length; j++) {
      if (!isRecord(m.content[j])) {
        throw new ConfigError(
          `messages[${i}].content[${j}] must be an object, got ${describe(m.content[j])}. Pass a content block such as { type: 'text', text: 'Hello' }.`,
        );
      }
    }
  }
}

function requireString(value: unknown, where: string, field: string): string {
  if (typeof value !== 'string')
    throw new ConfigError(`${where}: ${field} must be a string, got ${describe(value)}. Pass ${field} as a string.`);
  return value;
}

/**
 * The request's `instructions`: each system message's
 * text blocks joined with `"\n"`; blank ones (Unicode white space only) dropped; the rest joined
 * with `"\n\n"`.
 * @param messages The conversation.
 * @return The instructions, or `undefined` when there are none.
 */
export function extractInstructions(messages: readonly Message[]): string | undefined {
  assertMessages(messages);
  const parts: string[] = [];
  for (const message of messages) {
    if (message.role !== 'system') continue;
    const text = message.content
      .filter((b): b is Extract<ContentBlock, { type: 'text' }> => b.type === 'text')
      .map((b) => requireString(b.text, 'a system message', 'text'))
      .join('\n');
    // Rust's `trim()` strips White_Space characters (not U+FEFF, unlike String#trim).
    if (!/^\p{White_Space}*$/u.test(text)) parts.push(text);
  }
  return parts.length === 0 ? undefined : parts.join('\n\n');
}

/** True when a thinking block can be replayed: encrypted content and its original id (a random id fails verification). */
function isReplayableThinking(block: ThinkingBlock): block is ThinkingBlock & { id: string; encryptedContent: string } {
  return typeof block.encryptedContent === 'string' && typeof block.id === 'string';
}

/**
 * The messages as they are converted into input items:
 * 1. System messages are dropped; user messages pass through unchanged.
 * 2. In assistant messages, a thinking block with encrypted content becomes
 *    `{type: 'thinking', thinking: '', id, encryptedContent}` (signature and text dropped, the
 *    original `id` kept); one without encrypted content, or without an `id` (which could not be
 *    verified), is dropped.
 * 3. Assistant text blocks are dropped when the message has any `tool_use` block.
 * 4. Everything else is kept; an assistant message left with no blocks is dropped. `id` is kept.
 * The input is never mutated.
 * @param messages The conversation.
 * @return The messages to convert into input items.
 */
export function prepareCodexMessages(messages: readonly Message[]): Message[] {
  assertMessages(messages);
  const out: Message[] = [];
  for (const message of messages) {
    if (message.role === 'system') continue;
    if (message.role !== 'assistant') {
      out.push(message);
      continue;
    }
    const hasToolUse = message.content.some((b) => b.type === 'tool_use');
    const content: ContentBlock[] = [];
    for (const block of message.content) {
      if (block.type === 'thinking') {
        if (isReplayableThinking(block)) {
          content.push({ type: 'thinking', thinking: '', id: block.id, encryptedContent: block.encryptedContent });
        }
      } else if (block.type === 'text') {
        if (!hasToolUse) content.push(block);
      } else {
        content.push(block);
      }
    }
    if (content.length > 0)
      out.push(message.id === undefined ? { role: message.role, content } : { role: message.role, content, id: message.id });
  }
  return out;
}

/** `fc_` + 32 hex digits: the Rust client's `Uuid::new_v4().simple()`. */
function functionCallItemId(): string {
  return `fc_${randomUUID().replace(/-/g, '')}`;
}

const IMAGE_SOURCE_FIX = "Pass { type: 'base64', mediaType, data } or { type: 'url', url }.";

function imageUrl(block: Extract<ContentBlock, { type: 'image' }>, where: string): string {
  const source: unknown = block.source;
  if (!isRecord(source)) throw new ConfigError(`${where}: image source must be an object, got ${describe(source)}. ${IMAGE_SOURCE_FIX}`);
  if (source.type === 'base64') {
    const mediaType = requireString(source.mediaType, where, 'source.mediaType');
    const data = requireString(source.data, where, 'source.data');
    return `data:${mediaType};base64,${data}`;
  }
  if (source.type === 'url') return requireString(source.url, where, 'source.url');
  throw new ConfigError(`${where}: image source type must be "base64" or "url", got ${describe(source.type)}. ${IMAGE_SOURCE_FIX}`);
}

/**
 * Converts messages into Responses API input items (every message: there is no previous
 * response id), following the order of each message's content blocks, so reasoning comes
 * before the function call it led to:
 * 1. `text` → `input_text` (`output_text` for assistant messages); `image` → `input_image`
 *    (`data:<mediaType>;base64,<data>` or the URL, `detail` when set). All of a message's
 *    text/image parts form ONE `message` item, placed where its first text/image block is.
 * 2. `tool_use` → `function_call` (`id: "fc_" + 32 random hex`, `call_id`, `name`, `arguments`
 *    = the input as sorted-key JSON, `status: "completed"`).
 * 3. `tool_result` → `function_call_output` (`output` = the content when it is a string,
 *    otherwise its JSON; `isError` is not sent). A string goes as it is so the model reads
 *    `12:00`, not `"12:00"`.
 * 4. `thinking` in an assistant message with `encryptedContent` and `id` → `reasoning`
 *    (`content: []`, `summary: []`, the original id); other thinking blocks send nothing.
 * 5. Other block types (documents) are dropped.
 * The message item carries the message's `id` when it has one and `status: "completed"` for
 * assistant messages only.
 * @param messages Messages, normally the output of {@link prepareCodexMessages}.
 * @return The input items.
 */
export function messagesToInputItems(messages: readonly Message[]): InputItem[] {
  assertMessages(messages);
  const items: InputItem[] = [];
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    const assistant = message.role === 'assistant';
    let parts: ContentPart[] | undefined;
    for (let j = 0; j < message.content.length; j++) {
      const block = message.content[j]!;
      const where = `messages[${i}].content[${j}]`;
      switch (block.type) {
        case 'text':
        case 'image': {
          const part: ContentPart =
            block.type === 'text'
              ? { type: assistant ? 'output_text' : 'input_text', text: requireString(block.text, where, 'text') }
              : block.detail === undefined
                ? { type: 'input_image', image_url: imageUrl(block, where) }
                : { type: 'input_image', image_url: imageUrl(block, where), detail: requireString(block.detail, where, 'detail') };
          if (parts === undefined) {
            parts = [part];
            const item: MessageInputItem = { type: 'message', role: message.role, content: parts };
            if (assistant) item.status = 'completed';
            if (message.id !== undefined) item.id = message.id;
            items.push(item);
          } else {
            parts.push(part);
          }
          break;
        }
        case 'tool_use':
          items.push({
            type: 'function_call',
            id: functionCallItemId(),
            call_id: requireString(block.id, where, 'id'),
            name: requireString(block.name, where, 'name'),
            arguments: sortedJsonStringify(block.input, `${where}.input`),
            status: 'completed',
          });
          break;
        case 'tool_result':
          items.push({
            type: 'function_call_output',
            call_id: requireString(block.toolUseId, where, 'toolUseId'),
            // A string is what the tool said, sent as it is; anything else as JSON.
            output: typeof block.content === 'string' ? block.content : sortedJsonStringify(block.content, `${where}.content`),
            status: 'completed',
          });
          break;
        case 'thinking':
          if (assistant && isReplayableThinking(block)) {
            items.push({
              type: 'reasoning',
              id: requireString(block.id, where, 'id'),
              content: [],
              summary: [],
              encrypted_content: block.encryptedContent,
            });
          }
          break;
        default:
          break;
      }
    }
  }
  return items;
}

// ---------------------------------------------------------------------------------------------
// Tools
// ---------------------------------------------------------------------------------------------

/**
 * Converts tools to wire function tools (the Rust client's `from_unified_tools`):
 * 1. `{type: "function", name, description, parameters}`; `strict` is never sent.
 * 2. If `parameters` is an object with a `parameters` key whose value is an object (a whole
 *    tool spec was passed), that inner object is the schema; if the inner value is not an
 *    object, the original value is sent unchanged (and gets no `additionalProperties`).
 * 3. A schema object without `additionalProperties` gets `additionalProperties: false` at its
 *    root only.
 * 4. A non-object `parameters` (e.g. `null`) is passed through.
 * 5. A zod 4 schema is converted to JSON Schema first (never sent as a dump of its internals).
 * Schemas are copied with sorted keys (serde_json `Value` order); the input is never mutated.
 * @param tools The tools.
 * @return The wire tools.
 */
export function toolsToWire(tools: readonly Tool[]): WireTool[] {
  if (!Array.isArray(tools))
    throw new ConfigError(`tools must be an array, got ${describe(tools)}. Pass an array of tools (empty for none).`);
  return tools.map((tool: unknown, i) => {
    const where = `tools[${i}]`;
    if (!isRecord(tool)) {
      throw new ConfigError(
        `${where} must be an object, got ${describe(tool)}. Pass a tool such as { name, description, parameters }, or use defineTool.`,
      );
    }
    const name = requireString(tool.name, where, 'name');
    const description = requireString(tool.description, where, 'description');
    let parameters = sortedJsonValue(toolParametersSchema(tool.parameters, `${where}.parameters`), `${where}.parameters`);
    if (isRecord(parameters)) {
      let schema: Record<string, unknown> | undefined = parameters;
      if (Object.prototype.hasOwnProperty.call(parameters, 'parameters')) {
        const inner = parameters.parameters;
        schema = isRecord(inner) ? inner : undefined;
      }
      if (schema !== undefined) {
        if (!Object.prototype.hasOwnProperty.call(schema, 'additionalProperties')) {
          const withFlag: Record<string, unknown> = {};
          for (const k of [...Object.keys(schema), 'additionalProperties'].sort(compareCodePoints)) {
            withFlag[k] = k === 'additionalProperties' ? false : schema[k];
          }
          schema = withFlag;
        }
        parameters = schema;
      }
    }
    // `undefined` parameters (JSON has no such value) go out as null, as a serde Value would.
    return { type: 'function', name, description, parameters: parameters === undefined ? null : parameters };
  });
}
