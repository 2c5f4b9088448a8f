/**
 * An incremental scanner that tells when a streamed JSON document (a tool call's arguments) has
 * closed its top-level object or array, so the buffer is parsed once, when it can be complete,
 * instead of on every delta (SPEC §6.12: linear, not quadratic, in the arguments' length).
 * It looks at each character once and tracks only nesting depth and string state.
 */

/** Where the scanner is. Immutable: each chunk gives a new value. */
export interface JsonScan {
  /** Open `{` / `[` not yet closed. */
  readonly depth: number;
  readonly inString: boolean;
  /** The previous character in a string was an unescaped backslash. */
  readonly escape: boolean;
  /** The top-level object or array has been closed. */
  readonly closed: boolean;
  /** Not a single object/array (a scalar, a second value, a stray bracket): never worth a partial parse. */
  readonly broken: boolean;
}

export const JSON_SCAN_START: JsonScan = { depth: 0, inString: false, escape: false, closed: false, broken: false };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/**
 * Advances the scanner over `chunk`.
 *
 * @param scan The state after the previous chunks.
 * @param chunk The next piece of the document.
 * @return The new state, and `closedNow`: the top-level value closed within this chunk (the
 * moment worth one `JSON.parse` of the whole buffer).
 */
export function scanJson(scan: JsonScan, chunk: string): { scan: JsonScan; closedNow: boolean } {
  if (scan.broken) return { scan, closedNow: false };
  let { depth, inString, escape, closed } = scan;
  const wasClosed = closed;
  for (let i = 0; i < chunk.length; i++) {
    const code = chunk.charCodeAt(i);
    if (inString) {
      if (escape) escape = false;
      else if (code === BACKSLASH) escape = true;
      else if (code === QUOTE) inString = false;
      continue;
    }
    if (code === QUOTE) {
      if (depth === 0) return { scan: { ...scan, broken: true }, closedNow: false };
      inString = true;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (closed) return { scan: { ...scan, broken: true }, closedNow: false };
      depth += 1;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth -= 1;
      if (depth < 0) return { scan: { ...scan, broken: true }, closedNow: false };
      if (depth === 0) closed = true;
    } else if (depth === 0 && !isWhitespace(code)) {
      // A scalar at top level, or text after the closed value.
      return { scan: { ...scan, broken: true }, closedNow: false };
    }
  }
  return { scan: { depth, inString, escape, closed, broken: false }, closedNow: closed && !wasClosed };
}
