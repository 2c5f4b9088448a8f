/** Checking a scripted reply and planning how to send it. */
import type { OutgoingHttpHeaders } from 'node:http';
import { ConfigError } from '../../errors.js';
import type { MockReply } from './types.js';

/** Node's timers overflow above this and fire at once. */
export const MAX_DELAY_MS = 2_147_483_647;

/** A reply checked and reduced to what the server needs. */
export interface PlannedReply {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
  chunkSize: number;
  chunkDelayMs: number;
  headersDelayMs: number;
  /** Bytes to send before cutting or stalling; `body.length` otherwise. */
  sendBytes: number;
  end: 'end' | 'cut' | 'stall' | 'drop';
  /** The reply's own WebSocket frames (`MockReply.frames`). */
  frames?: readonly (string | Buffer)[];
  closeWebSocket: boolean;
}

const REPLY_KEYS = new Set([
  'status',
  'headers',
  'body',
  'events',
  'json',
  'chunkSize',
  'chunkDelayMs',
  'headersDelayMs',
  'cutAfterBytes',
  'stall',
  'endWithoutBlankLine',
  'dropConnection',
  'frames',
  'closeWebSocket',
]);

function checkDelay(value: unknown, name: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_DELAY_MS) {
    throw new ConfigError(
      `MockReply.${name} must be a number of milliseconds from 0 to ${MAX_DELAY_MS}, got ${String(value)}. Set ${name} in that range, or leave it out for no delay.`,
    );
  }
  return value;
}

function checkByteCount(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new ConfigError(`MockReply.${name} must be an integer ≥ ${min}, got ${String(value)}. Set ${name} to a whole number of bytes.`);
  }
  return value;
}

/** Frames wire events as SSE: `event: <type>\ndata: <json>\n\n`. */
export function frameEvents(events: readonly object[]): string {
  let out = '';
  for (const [i, event] of events.entries()) {
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      throw new ConfigError(
        `MockReply.events[${i}] must be an object, got ${Array.isArray(event) ? 'an array' : String(event)}. Pass wire events such as { type: 'response.output_text.delta', delta: 'Hi' }.`,
      );
    }
    const type = (event as { type?: unknown }).type;
    if (typeof type === 'string') out += `event: ${type}\n`;
    out += `data: ${JSON.stringify(event)}\n\n`;
  }
  return out;
}

/** Removes the final line terminator of a trailing blank line (`\n\n`, `\r\r`, `\r\n\r\n`). */
function dropFinalBlankLine(body: Buffer): Buffer {
  const n = body.length;
  const LF = 0x0a;
  const CR = 0x0d;
  if (n >= 4 && body[n - 4] === CR && body[n - 3] === LF && body[n - 2] === CR && body[n - 1] === LF) {
    return body.subarray(0, n - 2);
  }
  if (n >= 2 && (body[n - 1] === LF || body[n - 1] === CR) && body[n - 2] === body[n - 1]) {
    return body.subarray(0, n - 1);
  }
  return body;
}

function looksLikeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Validates a reply (unknown keys, types, conflicting fields) and plans how to send it. */
export function planReply(reply: MockReply, where: string): PlannedReply {
  try {
    return planReplyUnchecked(reply);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`${where}: ${e.message}`);
    throw e;
  }
}

function planReplyUnchecked(reply: MockReply): PlannedReply {
  if (typeof reply !== 'object' || reply === null || Array.isArray(reply)) {
    throw new ConfigError(
      `a MockReply must be an object, got ${Array.isArray(reply) ? 'an array' : String(reply)}. Pass one such as { events: textTurn({ text: ['Hi'] }) } or { status: 503 }.`,
    );
  }
  for (const key of Object.keys(reply)) {
    if (!REPLY_KEYS.has(key)) {
      throw new ConfigError(
        `Unexpected MockReply option: ${key}. Remove it or correct its name; the known options are ${[...REPLY_KEYS].join(', ')}.`,
      );
    }
  }
  const status = reply.status ?? 200;
  if (!Number.isInteger(status) || status < 200 || status > 599) {
    throw new ConfigError(
      `MockReply.status must be an integer from 200 to 599, got ${String(reply.status)}. Set status in that range, or leave it out for 200.`,
    );
  }
  const given = (['body', 'events', 'json'] as const).filter((k) => reply[k] !== undefined);
  if (given.length > 1) {
    throw new ConfigError(`MockReply takes one of body, events and json, got ${given.join(' and ')}. Remove all but one of them.`);
  }
  if (given.length > 0 && reply.frames !== undefined) {
    throw new ConfigError(`MockReply.frames cannot be combined with ${given.join(' or ')}. Remove frames or ${given.join(' and ')}.`);
  }
  if (reply.closeWebSocket !== undefined && typeof reply.closeWebSocket !== 'boolean') {
    throw new ConfigError(
      `MockReply.closeWebSocket must be a boolean, got ${String(reply.closeWebSocket)}. Set it to true to close the connection after the reply, or leave it out.`,
    );
  }

  let body: Buffer;
  let defaultType: string;
  let frames: (string | Buffer)[] | undefined;
  if (reply.frames !== undefined) {
    if (!Array.isArray(reply.frames) || !reply.frames.every((f) => typeof f === 'string' || f instanceof Uint8Array)) {
      throw new ConfigError(
        'MockReply.frames must be an array of strings and Uint8Arrays. Pass text frames as strings and binary ones as Uint8Arrays.',
      );
    }
    const own = reply.frames.map((f) => (typeof f === 'string' ? f : Buffer.from(f.buffer, f.byteOffset, f.byteLength)));
    frames = own;
    body = Buffer.concat(own.map((f) => (typeof f === 'string' ? Buffer.from(`data: ${f}\n\n`, 'utf8') : f)));
    defaultType = 'text/event-stream';
  } else if (reply.events !== undefined) {
    if (!Array.isArray(reply.events)) {
      throw new ConfigError(
        "MockReply.events must be an array of objects. Pass an array of wire events, such as textTurn({ text: ['Hi'] }).",
      );
    }
    body = Buffer.from(frameEvents(reply.events), 'utf8');
    defaultType = 'text/event-stream';
  } else if (reply.json !== undefined) {
    const text = JSON.stringify(reply.json);
    if (text === undefined)
      throw new ConfigError(
        'MockReply.json must be JSON-serialisable. Pass a value JSON can carry (an object, an array, a string, a number, a boolean or null).',
      );
    body = Buffer.from(text, 'utf8');
    defaultType = 'application/json';
  } else if (reply.body !== undefined) {
    if (typeof reply.body === 'string') body = Buffer.from(reply.body, 'utf8');
    else if (reply.body instanceof Uint8Array) body = Buffer.from(reply.body.buffer, reply.body.byteOffset, reply.body.byteLength);
    else
      throw new ConfigError('MockReply.body must be a string or a Uint8Array. Pass the raw body as text or bytes, or use events or json.');
    defaultType =
      status < 300 ? 'text/event-stream' : looksLikeJson(body.toString('utf8')) ? 'application/json' : 'text/plain; charset=utf-8';
  } else {
    body = Buffer.alloc(0);
    defaultType = status < 300 ? 'text/event-stream' : 'text/plain; charset=utf-8';
  }
  if (reply.endWithoutBlankLine !== undefined && typeof reply.endWithoutBlankLine !== 'boolean') {
    throw new ConfigError(
      `MockReply.endWithoutBlankLine must be a boolean, got ${String(reply.endWithoutBlankLine)}. Set it to true or false, or leave it out.`,
    );
  }
  if (reply.endWithoutBlankLine === true) body = dropFinalBlankLine(body);

  const headers: OutgoingHttpHeaders = { 'content-type': defaultType };
  if (reply.headers !== undefined) {
    if (typeof reply.headers !== 'object' || reply.headers === null || Array.isArray(reply.headers)) {
      throw new ConfigError("MockReply.headers must be an object of header name to value. Pass one such as { 'retry-after': '1' }.");
    }
    for (const [name, value] of Object.entries(reply.headers)) {
      const ok =
        typeof value === 'string' ||
        (typeof value === 'number' && Number.isFinite(value)) ||
        (Array.isArray(value) && value.every((v) => typeof v === 'string'));
      if (!ok) {
        throw new ConfigError(
          `MockReply.headers['${name}'] must be a string, a number or an array of strings. Pass the header's value in one of those forms.`,
        );
      }
      headers[name.toLowerCase()] = typeof value === 'object' ? [...value] : value;
    }
  }

  const chunkSize = reply.chunkSize === undefined ? Math.max(body.length, 1) : checkByteCount(reply.chunkSize, 'chunkSize', 1);
  const chunkDelayMs = checkDelay(reply.chunkDelayMs, 'chunkDelayMs');
  const headersDelayMs = checkDelay(reply.headersDelayMs, 'headersDelayMs');

  const endings = (['cutAfterBytes', 'stall', 'dropConnection'] as const).filter((k) => reply[k] !== undefined && reply[k] !== false);
  if (endings.length > 1) {
    throw new ConfigError(
      `MockReply takes one of cutAfterBytes, stall and dropConnection, got ${endings.join(' and ')}. Remove all but one of them.`,
    );
  }
  let end: PlannedReply['end'] = 'end';
  let sendBytes = body.length;
  if (reply.cutAfterBytes !== undefined) {
    end = 'cut';
    sendBytes = Math.min(checkByteCount(reply.cutAfterBytes, 'cutAfterBytes', 0), body.length);
  }
  if (reply.stall !== undefined && reply.stall !== false) {
    end = 'stall';
    if (reply.stall !== true) {
      if (typeof reply.stall !== 'object' || reply.stall === null) {
        throw new ConfigError(
          'MockReply.stall must be a boolean or { afterBytes }. Pass true to stall after the whole body, or { afterBytes: n }.',
        );
      }
      for (const key of Object.keys(reply.stall)) {
        if (key !== 'afterBytes')
          throw new ConfigError(`Unexpected MockReply.stall option: ${key}. Remove it; stall takes only afterBytes.`);
      }
      sendBytes = Math.min(checkByteCount(reply.stall.afterBytes, 'stall.afterBytes', 0), body.length);
    }
  }
  if (reply.dropConnection !== undefined) {
    if (typeof reply.dropConnection !== 'boolean') {
      throw new ConfigError(
        `MockReply.dropConnection must be a boolean, got ${String(reply.dropConnection)}. Set it to true to reset the connection before any response, or leave it out.`,
      );
    }
    if (reply.dropConnection) end = 'drop';
  }
  const closeWebSocket = reply.closeWebSocket === true;
  return { status, headers, body, chunkSize, chunkDelayMs, headersDelayMs, sendBytes, end, ...(frames && { frames }), closeWebSocket };
}

/** The mock's own error answers (unknown route, script ran out, handler failed). */
export function errorReply(status: number, message: string, type: string): PlannedReply {
  const body = Buffer.from(JSON.stringify({ error: { message, type } }), 'utf8');
  return {
    status,
    // The mock's own errors are never worth a retry: the test is wrong, fail it fast.
    headers: { 'content-type': 'application/json', 'x-should-retry': 'false' },
    body,
    chunkSize: Math.max(body.length, 1),
    chunkDelayMs: 0,
    headersDelayMs: 0,
    sendBytes: body.length,
    end: 'end',
    closeWebSocket: false,
  };
}
