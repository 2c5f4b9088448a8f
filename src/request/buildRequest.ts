import { randomUUID } from 'node:crypto';
import { AuthError, ConfigError } from '../errors.js';
import type { ToolChoice } from '../client/streamOptions.js';
import type { JsonSchemaTextFormat } from '../output/textFormat.js';
import type { Message, Tool } from '../types.js';
import { extractInstructions, messagesToInputItems, prepareCodexMessages, toolsToWire, type InputItem, type WireTool } from './convert.js';
import {
  modelSupportsSamplingParameters,
  normalizeModel,
  resolveReasoningEffortForCodexModel,
  type ReasoningEffort,
  type ReasoningSummary,
  type TextVerbosity,
} from './models.js';
import { checkStreamInput, describe } from '../client/validate.js';

/*
 * Config + messages + tools → the exact HTTP request (URL, headers, body) the Rust client sent
 * (docs/behaviour.md#request-building). No I/O.
 */

/** The longest `prompt_cache_key` the backend accepts. */
export const MAX_SESSION_ID_LENGTH = 64;

/**
 * The request body. Its keys are created in the Rust client's `ResponseCreateParams` order and
 * absent when it omits them, so `JSON.stringify` writes them in that order.
 */
export interface ResponseCreateBody {
  model: string;
  input: InputItem[];
  instructions?: string;
  tools?: WireTool[];
  tool_choice?: ToolChoice;
  parallel_tool_calls: boolean;
  temperature?: number;
  top_p?: number;
  stream: boolean;
  text?: { verbosity?: TextVerbosity; format?: JsonSchemaTextFormat };
  reasoning?: { effort: ReasoningEffort; summary?: ReasoningSummary };
  store: false;
  include: ['reasoning.encrypted_content'];
  prompt_cache_key: string;
  /** Sent only with an API key (the platform API takes it; the ChatGPT backend refuses it). */
  max_output_tokens?: number;
}

/** The config fields the body depends on (a `ResolvedClientConfig` fits). */
export interface RequestBodyConfig {
  model: string;
  reasoning?: { effort?: ReasoningEffort; summary?: ReasoningSummary };
  textVerbosity?: TextVerbosity;
  /** @default false */
  parallelToolCalls?: boolean;
  temperature?: number;
  topP?: number;
  /** @default true */
  stream?: boolean;
  /** Sent as `tool_choice` when there are tools. @default 'auto' */
  toolChoice?: ToolChoice;
  /** Structured output: sent as `text.format`. @default undefined */
  textFormat?: JsonSchemaTextFormat;
}

/**
 * A fresh session id: a hyphenated UUID v4 (36 characters), as the Rust client. It is sent as the
 * `session_id` header and as `prompt_cache_key`.
 * @return The session id.
 */
export function createSessionId(): string {
  return randomUUID();
}

/**
 * The session id as sent: at most 64 UTF-16 units (the backend's `prompt_cache_key` limit),
 * never ending in half a surrogate pair. Applied to both the header and the body so they agree.
 * @param sessionId The caller's session id.
 * @return The id to send.
 */
export function normalizeSessionId(sessionId: string): string {
  if (typeof sessionId !== 'string') {
    throw new ConfigError(
      `Invalid OpenAI Codex session_id: not a string but ${describe(sessionId)}. Pass sessionId as a string, or leave it out.`,
    );
  }
  if (sessionId.length <= MAX_SESSION_ID_LENGTH) return sessionId;
  const last = sessionId.charCodeAt(MAX_SESSION_ID_LENGTH - 1);
  const end = last >= 0xd800 && last <= 0xdbff ? MAX_SESSION_ID_LENGTH - 1 : MAX_SESSION_ID_LENGTH;
  return sessionId.slice(0, end);
}

/**
 * The endpoint URL: the base URL with all trailing slashes removed, plus `/codex/responses`,
 * or only `/responses` when the base URL already ends in `/codex` (so a base URL copied from
 * the Codex CLI's config does not give `/codex/codex/responses`).
 * @param baseUrl The configured base URL.
 * @return The endpoint URL.
 */
export function buildEndpointUrl(baseUrl: string): string {
  let end = baseUrl.length;
  while (end > 0 && baseUrl.charCodeAt(end - 1) === 0x2f) end--;
  const base = baseUrl.slice(0, end);
  return base.endsWith('/codex') ? `${base}/responses` : `${base}/codex/responses`;
}

/**
 * The request body:
 * 1. `model`: the normalized model.
 * 2. `input`: the prepared messages as input items, always an array.
 * 3. `instructions`: the system messages' text, omitted when there is none.
 * 4. `tools` and `tool_choice` (`toolChoice`, default `"auto"`) only when there are tools;
 *    a `toolChoice` that needs a tool (`required`, a function) without tools, or naming a tool
 *    that is not there, is a ConfigError.
 * 5. `parallel_tool_calls` (default false) and `stream` (default true), always.
 * 6. `temperature` / `top_p` only when set and the model + resolved effort accept sampling;
 *    otherwise dropped silently.
 * 7. `text: {verbosity?, format?}` only with `textVerbosity` or `textFormat`.
 * 8. `reasoning: {effort, summary?}` only with `reasoning`; the effort is resolved for the
 *    model, `summary` omitted when not set.
 * 9. `store: false`, `include: ["reasoning.encrypted_content"]`, `prompt_cache_key`.
 * `max_output_tokens` and every other optional field are never sent here (the ChatGPT backend
 * rejects them; a client with an API key adds `max_output_tokens`).
 * @param config The model/sampling/reasoning options.
 * @param messages The conversation.
 * @param tools The tools, if any.
 * @param sessionId The session id (see {@link normalizeSessionId}).
 * @return The body, with keys in the Rust client's order.
 */
export function buildRequestBody(
  config: RequestBodyConfig,
  messages: readonly Message[],
  tools: readonly Tool[] | undefined,
  sessionId: string,
): ResponseCreateBody {
  checkStreamInput(messages, tools);
  const promptCacheKey = normalizeSessionId(sessionId);
  const instructions = extractInstructions(messages);
  const input = messagesToInputItems(prepareCodexMessages(messages));
  const model = normalizeModel(config.model);
  const effort = config.reasoning ? resolveReasoningEffortForCodexModel(model, config.reasoning.effort) : undefined;
  const sampling = modelSupportsSamplingParameters(model, effort);
  const hasTools = tools !== undefined && tools.length > 0;

  // Built key by key, in ResponseCreateParams order, skipping what the Rust client omits.
  const body: Partial<ResponseCreateBody> = { model, input };
  if (instructions !== undefined) body.instructions = instructions;
  if (hasTools) {
    body.tools = toolsToWire(tools);
    body.tool_choice = checkToolChoice(config.toolChoice, tools);
  } else if (config.toolChoice !== undefined && config.toolChoice !== 'auto' && config.toolChoice !== 'none') {
    throw new ConfigError('toolChoice asks for a tool call, but the call has no tools. Pass the tools, or leave toolChoice out.');
  }
  body.parallel_tool_calls = config.parallelToolCalls ?? false;
  if (sampling && config.temperature !== undefined) body.temperature = config.temperature;
  if (sampling && config.topP !== undefined) body.top_p = config.topP;
  body.stream = config.stream ?? true;
  if (config.textVerbosity !== undefined || config.textFormat !== undefined) {
    body.text = {};
    if (config.textVerbosity !== undefined) body.text.verbosity = config.textVerbosity;
    if (config.textFormat !== undefined) body.text.format = config.textFormat;
  }
  if (config.reasoning) {
    body.reasoning = config.reasoning.summary === undefined ? { effort: effort! } : { effort: effort!, summary: config.reasoning.summary };
  }
  body.store = false;
  body.include = ['reasoning.encrypted_content'];
  body.prompt_cache_key = promptCacheKey;
  return body as ResponseCreateBody;
}

/** The `tool_choice` to send: `auto` by default; a named function must be one of the tools. */
function checkToolChoice(choice: ToolChoice | undefined, tools: readonly Tool[]): ToolChoice {
  if (choice === undefined) return 'auto';
  if (choice === 'auto' || choice === 'none' || choice === 'required') return choice;
  if (typeof choice === 'object' && choice !== null && choice.type === 'function' && typeof choice.name === 'string') {
    if (!tools.some((tool) => tool.name === choice.name)) {
      throw new ConfigError(
        `toolChoice names the function "${choice.name}", which is not among the tools. Pass that tool too, or name one of ${tools.map((t) => `"${t.name}"`).join(', ')}.`,
      );
    }
    return { type: 'function', name: choice.name };
  }
  throw new ConfigError(
    `toolChoice must be 'auto', 'none', 'required' or { type: 'function', name }, got ${describe(choice)}. Pick one of those, or leave toolChoice out for 'auto'.`,
  );
}

/**
 * The failure-capture copy of a body: pretty JSON with a 2-space indent, keys in the
 * body's order. The body never holds credentials.
 * @param body The request body.
 * @return The pretty JSON.
 */
export function requestPayloadPretty(body: ResponseCreateBody): string {
  return JSON.stringify(body, null, 2);
}

/**
 * The index of the first character a header value may not hold, or -1. Allowed: visible ASCII,
 * space and tab — the Rust client's rule (`HeaderValue::from_str`) minus non-ASCII, which undici rejects.
 * @param value The header value.
 * @return The index of the first bad character (CR, LF, NUL, other controls, DEL, non-ASCII), or -1.
 */
export function invalidHeaderCharIndex(value: string): number {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c > 0x7e) return i;
  }
  return -1;
}

/**
 * Checks a header value; the message names the header and the position, never the value. A
 * `ConfigError` also says what to change (`fix`).
 */
function checkHeader(value: unknown, message: string, ErrorClass: typeof AuthError | typeof ConfigError, fix?: string): string {
  const fail = (problem: string) => new ErrorClass(fix === undefined ? `${message}: ${problem}` : `${message}: ${problem}. ${fix}`);
  if (typeof value !== 'string') throw fail('the value is not a string');
  const at = invalidHeaderCharIndex(value);
  if (at !== -1) {
    throw fail(
      fix === undefined
        ? `character ${at} is not allowed in an HTTP header value (only visible ASCII, space and tab are)`
        : `character ${at} is not allowed in an HTTP header value`,
    );
  }
  return value;
}

/** Resolved credentials, as the auth resolver returns them. */
export interface HeaderAuth {
  accessToken: string;
  accountId: string;
}

/**
 * The request headers, lower-case as the Rust client put them on the wire, in its order:
 * `content-type`, `accept: text/event-stream`, `authorization: Bearer <token>`,
 * `chatgpt-account-id`, `originator`, `openai-beta: responses=experimental`, `session_id`.
 * A value that cannot be a header value throws the Rust client's message — `AuthError` for the token
 * and account id, `ConfigError` for the originator and session id — and never includes the value.
 * @param auth The access token and account id.
 * @param originator The `originator` header.
 * @param sessionId The session id (see {@link normalizeSessionId}).
 * @return The headers.
 */
export function buildHeaders(auth: HeaderAuth, originator: string, sessionId: string): Record<string, string> {
  const token = checkHeader(auth.accessToken, 'Invalid OpenAI Codex authorization header', AuthError);
  const accountId = checkHeader(auth.accountId, 'Invalid OpenAI Codex chatgpt-account-id header', AuthError);
  checkHeader(originator, 'Invalid OpenAI Codex originator header', ConfigError, 'Use only visible ASCII, space and tab in originator.');
  const session = checkHeader(
    typeof sessionId === 'string' ? normalizeSessionId(sessionId) : sessionId,
    'Invalid OpenAI Codex session_id',
    ConfigError,
    'Use only visible ASCII, space and tab in sessionId.',
  );
  return {
    'content-type': 'application/json',
    accept: 'text/event-stream',
    authorization: `Bearer ${token}`,
    'chatgpt-account-id': accountId,
    originator,
    'openai-beta': 'responses=experimental',
    session_id: session,
  };
}
