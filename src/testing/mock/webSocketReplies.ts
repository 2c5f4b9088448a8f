import { STATUS_CODES, type OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { createParser } from 'eventsource-parser';
import type { WebSocket } from 'ws';

/*
 * The mock server's WebSocket side: scripted replies turned into frames, wrapped error frames,
 * refused upgrades, and the responses a connection remembers for `previous_response_id`.
 */

/** One frame to send: text, or bytes sent as a binary frame. */
export type MockFrame = string | Buffer;

/** What the WebSocket side needs of a planned reply. */
export interface FramePlan {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
  sendBytes: number;
  end: 'end' | 'cut' | 'stall' | 'drop';
  frames?: readonly MockFrame[];
}

/**
 * The frames a reply sends over a WebSocket: its own `frames`; for an error status one wrapped
 * error frame (`{"type":"error","status","error","headers"}`, as the backend sends an HTTP error
 * on a socket); else one text frame per SSE event of the body, as far as `sendBytes` reaches
 * (a cut or stall after N bytes sends the events wholly inside them).
 */
export function framesOf(plan: FramePlan): MockFrame[] {
  if (plan.frames !== undefined) return [...plan.frames];
  if (plan.status >= 300) return [wrappedErrorFrame(plan.status, plan.body.toString('utf8'), plan.headers)];
  const frames: MockFrame[] = [];
  const parser = createParser({
    onEvent: (event) => {
      // `[DONE]` ends an HTTP stream; a WebSocket turn ends at its terminal event.
      if (event.data !== '[DONE]') frames.push(event.data);
    },
  });
  parser.feed(plan.body.subarray(0, plan.sendBytes).toString('utf8'));
  // A last event without its blank line still counts, as the client's SSE parser counts it.
  if (plan.end === 'end') parser.feed('\n\n');
  return frames;
}

/** The backend's error frame for what over HTTP would be a `status` response with this body and headers. */
export function wrappedErrorFrame(status: number, body: string, headers: OutgoingHttpHeaders = {}): string {
  let error: unknown;
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    error = typeof parsed === 'object' && parsed !== null && 'error' in parsed ? parsed.error : parsed;
  } catch {
    error = { message: body };
  }
  const sent: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'content-type' || value === undefined) continue;
    sent[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return JSON.stringify({ type: 'error', status, error, headers: sent });
}

/** Answers an upgrade request with a plain HTTP response and closes the socket. */
export function refuseUpgrade(socket: Duplex, plan: FramePlan): void {
  const body = plan.body.subarray(0, plan.sendBytes);
  const lines = [`HTTP/1.1 ${plan.status} ${STATUS_CODES[plan.status] ?? 'Unknown'}`];
  for (const [name, value] of Object.entries({ ...plan.headers, 'content-length': body.length, connection: 'close' })) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${String(one)}`);
  }
  socket.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]));
}

/** A response a connection keeps, so a later request can name it as `previous_response_id`. */
export interface StoredResponse {
  input: unknown[];
  output: unknown[];
}

/**
 * The id and output items of a response, from its frames: the items of
 * `response.output_item.done`, else the terminal event's `response.output`.
 */
export function responseOf(frames: readonly MockFrame[]): { id?: string; output: unknown[] } {
  let id: string | undefined;
  const items: unknown[] = [];
  let finalOutput: unknown[] | undefined;
  for (const frame of frames) {
    if (typeof frame !== 'string') continue;
    let event: { type?: unknown; response?: { id?: unknown; output?: unknown }; item?: unknown };
    try {
      event = JSON.parse(frame) as typeof event;
    } catch {
      continue;
    }
    if (typeof event !== 'object' || event === null) continue;
    if (typeof event.response?.id === 'string') id = event.response.id;
    if (event.type === 'response.output_item.done' && event.item !== undefined) items.push(event.item);
    if ((event.type === 'response.completed' || event.type === 'response.done') && Array.isArray(event.response?.output)) {
      finalOutput = event.response.output;
    }
  }
  return { ...(id !== undefined && { id }), output: items.length > 0 ? items : (finalOutput ?? []) };
}

/** Sends one frame and resolves once the socket took it (false when the connection went away). */
export function sendFrame(ws: WebSocket, frame: MockFrame): Promise<boolean> {
  return new Promise((resolve) => {
    if (ws.readyState !== ws.OPEN) return resolve(false);
    ws.send(frame, { binary: typeof frame !== 'string' }, (error) => resolve(error == null));
  });
}
