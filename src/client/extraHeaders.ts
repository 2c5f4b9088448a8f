import { ConfigError } from '../errors.js';
import { invalidHeaderCharIndex, MAX_SESSION_ID_LENGTH } from '../request/buildRequest.js';
import { article, describe } from './validate.js';

/**
 * The headers the client sets itself. Extra headers may not replace them: credentials come only
 * from the auth resolution, and the protocol headers only from the client.
 */
const RESERVED: ReadonlySet<string> = new Set([
  'authorization',
  'chatgpt-account-id',
  'content-type',
  'accept',
  'originator',
  'openai-beta',
  'session_id',
  'content-length',
  'host',
  'transfer-encoding',
  'connection',
]);

/** An HTTP header name: a token of visible characters without separators. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Checks extra request headers and returns them with lower-cased names.
 * @param headers The extra headers (`CodexClientConfig.headers` or a call's `headers`).
 * @param where Where they come from, for messages (`headers`, `options.headers`).
 * @throws {ConfigError} For a bad name or value, or a header the client sets itself (the message
 * never shows a value: it may be a secret).
 */
export function checkExtraHeaders(headers: unknown, where: string): Record<string, string> | undefined {
  if (headers === undefined) return undefined;
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    throw new ConfigError(
      `${where} must be an object of header names to string values, got ${describe(headers)}. Pass an object such as { 'x-team': 'docs' }, or leave ${where} out.`,
    );
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) {
      throw new ConfigError(
        `${where}: ${JSON.stringify(name)} is not a valid header name. Use only letters, digits and !#$%&'*+-.^_\`|~ in a header name.`,
      );
    }
    const lower = name.toLowerCase();
    if (RESERVED.has(lower)) {
      throw new ConfigError(
        `${where}: "${name}" is set by the client itself and cannot be replaced. Remove it from ${where}; credentials come from the client's sign-in or API key.`,
      );
    }
    // A value may be a secret: a wrong kind is described by its kind only.
    if (typeof value !== 'string') {
      throw new ConfigError(
        `${where}["${name}"] must be a string, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : article(typeof value)}. Pass the header's value as a string.`,
      );
    }
    const at = invalidHeaderCharIndex(value);
    if (at !== -1) {
      throw new ConfigError(
        `${where}["${name}"] has a character that cannot be sent in a header at index ${at}. Use only visible ASCII, space and tab in a header value.`,
      );
    }
    if (Object.prototype.hasOwnProperty.call(out, lower)) {
      throw new ConfigError(`${where}: "${name}" is given twice (header names ignore case). Remove one of the two.`);
    }
    out[lower] = value;
  }
  return out;
}

/**
 * Checks a caller's session id: a non-empty string of at most 64 characters that can travel in
 * a header.
 * @throws {ConfigError} Saying what to pass instead.
 */
export function checkSessionId(sessionId: unknown): string | undefined {
  if (sessionId === undefined) return undefined;
  if (typeof sessionId !== 'string' || sessionId === '') {
    throw new ConfigError(
      `sessionId must be a non-empty string, got ${describe(sessionId)}. Pass one id per conversation (a UUID you store, so the prompt cache is reused), or leave sessionId out for a new one per client.`,
    );
  }
  if (sessionId.length > MAX_SESSION_ID_LENGTH) {
    throw new ConfigError(
      `sessionId must be at most ${MAX_SESSION_ID_LENGTH} characters, got ${sessionId.length}. Use a shorter id, such as a UUID: the backend's prompt cache key is limited to ${MAX_SESSION_ID_LENGTH}.`,
    );
  }
  const at = invalidHeaderCharIndex(sessionId);
  if (at !== -1) {
    throw new ConfigError(
      `sessionId has a character that cannot be sent in a header at index ${at}. Use only visible ASCII, space and tab in sessionId.`,
    );
  }
  return sessionId;
}

/** The client's headers with the extra ones added; the client's own always win. */
export function withExtraHeaders(own: Record<string, string>, ...extras: (Record<string, string> | undefined)[]): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const extra of extras) if (extra !== undefined) Object.assign(merged, extra);
  for (const [name, value] of Object.entries(own)) {
    // Defence in depth: the checks above already refuse these names.
    delete merged[name.toLowerCase()];
    merged[name] = value;
  }
  return merged;
}
