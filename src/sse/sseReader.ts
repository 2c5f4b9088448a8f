import { ProtocolError } from '../errors.js';
import type { PushParser } from './pushParser.js';

const LF = 10;
const COLON = 58;
const SPACE = 32;

/**
 * The SSE parser behind `sseMessages`, one per stream, after the WHATWG "Interpreting an event
 * stream" rules: lines end with LF, CR or CRLF (a CRLF may be split across chunks); a blank line
 * dispatches the event when it has data; `data` lines are joined with "\n"; `event` and `id`
 * apply to the event they are in; comments, `retry` and unknown fields are ignored.
 * `parseResponseStream` drives it directly.
 *
 * Written here rather than wrapping eventsource-parser, as it did before: one pass over each
 * chunk finds the lines, checks the event's size and dispatches, where the wrapper scanned each
 * chunk several times and joined its pending text on every chunk that ended a line
 * (bench/OPTIMISATIONS.md has the measurements).
 */
export class SseReader implements PushParser<string> {
  /** The standard's "last event ID buffer": the `id` of the latest dispatched event that had one. */
  lastEventId = '';
  /**
   * The start of the line being read, when it began in an earlier chunk. Built with `+`, which
   * V8 makes a rope flattened once by the `JSON.parse` of the line's data: cheaper than an array
   * of pieces joined when the line ends (bench/OPTIMISATIONS.md).
   */
  private pending = '';
  /** The previous chunk ended in CR: a leading LF is the second half of that CRLF. */
  private dropLeadingLf = false;
  /** Characters of the current event's finished lines (comments aside), one more per line ending. */
  private size = 0;
  private data = '';
  private dataLines = 0;
  private event: string | undefined;
  private id: string | undefined;

  /**
   * @param maxBufferSize The most characters one event may hold: its finished lines (comments
   *   aside, each with its line ending) plus the line being read.
   * @param onMessage Called synchronously, from inside `feed` or `end`, once per dispatched
   *   event, after `lastEventId` is updated. `event` is undefined when the block set none.
   */
  constructor(
    readonly maxBufferSize: number,
    private readonly onMessage: (data: string, event: string | undefined) => void,
  ) {}

  /**
   * Parses a chunk of text, calling `onMessage` for each event it completes.
   * @throws {ProtocolError} When an event passes `maxBufferSize`; the events before it are delivered.
   */
  feed(chunk: string): void {
    let at = 0;
    if (this.dropLeadingLf && chunk.length > 0) {
      this.dropLeadingLf = false;
      if (chunk.charCodeAt(0) === LF) at = 1;
    }
    if (chunk.indexOf('\r', at) === -1) {
      // LF only (what servers send): one search per line.
      for (let lf = chunk.indexOf('\n', at); lf !== -1; lf = chunk.indexOf('\n', at)) {
        this.endLine(chunk, at, lf);
        at = lf + 1;
      }
    } else {
      // The next LF and CR from `at`, each searched again only once passed.
      let lf = chunk.indexOf('\n', at);
      let cr = chunk.indexOf('\r', at);
      for (;;) {
        if (lf !== -1 && lf < at) lf = chunk.indexOf('\n', at);
        if (cr !== -1 && cr < at) cr = chunk.indexOf('\r', at);
        const end = lf === -1 ? cr : cr === -1 || lf < cr ? lf : cr;
        if (end === -1) break;
        this.endLine(chunk, at, end);
        at = end + 1;
        if (end !== cr) continue;
        // CR LF is one line ending; a CR that ends the chunk may be the first half of one.
        if (at === chunk.length) this.dropLeadingLf = true;
        else if (chunk.charCodeAt(at) === LF) at++;
      }
    }
    if (at < chunk.length) {
      // The line goes on in the next chunk.
      this.pending += at === 0 ? chunk : chunk.slice(at);
      if (this.size + this.pending.length > this.maxBufferSize) throw tooLarge(this.maxBufferSize);
    }
  }

  /** A line of `chunk` ends at `end`: with the pieces pending before it, when there are any. */
  private endLine(chunk: string, at: number, end: number): void {
    if (this.pending === '') return this.line(chunk, at, end);
    const line = this.pending + chunk.slice(at, end);
    this.pending = '';
    this.line(line, 0, line.length);
  }

  /**
   * The text ended: a last event without its blank line is dispatched too (the standard drops
   * it; some servers end the body without it).
   */
  end(): void {
    if (this.pending !== '') {
      const line = this.pending;
      this.pending = '';
      this.line(line, 0, line.length);
    }
    this.dispatch();
  }

  /** One finished line, `text[start, end)`. */
  private line(text: string, start: number, end: number): void {
    if (start === end) return this.dispatch();
    const length = end - start;
    if (this.size + length > this.maxBufferSize) throw tooLarge(this.maxBufferSize);
    const first = text.charCodeAt(start);
    if (first === COLON) return; // A comment: not kept once finished.
    this.size += length + 1;
    // The fields every Codex event has, read without slicing the field name.
    if (isDataField(text, start, first)) return this.addData(valueOf(text, start + 5, end));
    if (isEventField(text, start, first)) {
      this.event = valueOf(text, start + 6, end) || undefined;
      return;
    }
    const line = text.slice(start, end);
    const colon = line.indexOf(':');
    // "If the line contains a colon, the field is what comes before it, the value what follows
    // (one leading space removed); otherwise the whole line is the field, the value empty."
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : valueOf(line, colon + 1, line.length);
    switch (field) {
      case 'data':
        return this.addData(value);
      case 'event':
        this.event = value || undefined;
        return;
      case 'id':
        // "If the field value does not contain U+0000 NULL, set the last event ID buffer."
        if (!value.includes('\0')) this.id = value;
        return;
      default:
        // `retry` and unknown fields: ignored, as the standard says.
        return;
    }
  }

  private addData(value: string): void {
    this.data = this.dataLines === 0 ? value : `${this.data}\n${value}`;
    this.dataLines++;
  }

  /** A blank line: dispatch the event if it has data, then start a new one. */
  private dispatch(): void {
    const data = this.data;
    const dataLines = this.dataLines;
    const event = this.event;
    const id = this.id;
    this.data = '';
    this.dataLines = 0;
    this.event = undefined;
    this.id = undefined;
    this.size = 0;
    if (dataLines === 0) return;
    if (id !== undefined) this.lastEventId = id;
    this.onMessage(data, event);
  }
}

/** `data:` at `i` (`first` is its char code). */
function isDataField(text: string, i: number, first: number): boolean {
  return (
    first === 100 &&
    text.charCodeAt(i + 1) === 97 &&
    text.charCodeAt(i + 2) === 116 &&
    text.charCodeAt(i + 3) === 97 &&
    text.charCodeAt(i + 4) === COLON
  );
}

/** `event:` at `i` (`first` is its char code). */
function isEventField(text: string, i: number, first: number): boolean {
  return (
    first === 101 &&
    text.charCodeAt(i + 1) === 118 &&
    text.charCodeAt(i + 2) === 101 &&
    text.charCodeAt(i + 3) === 110 &&
    text.charCodeAt(i + 4) === 116 &&
    text.charCodeAt(i + 5) === COLON
  );
}

/** The value of a field whose colon is just before `from`: one leading space removed. */
function valueOf(text: string, from: number, end: number): string {
  return text.slice(from < end && text.charCodeAt(from) === SPACE ? from + 1 : from, end);
}

/** The error for an event larger than `maxBufferSize`. */
function tooLarge(maxBufferSize: number): ProtocolError {
  return new ProtocolError(`SSE event too large: more than ${maxBufferSize} characters buffered without an end of event (maxBufferSize)`, {
    eventType: '',
    issues: [`Buffered data exceeded max buffer size of ${maxBufferSize} characters`],
  });
}
