/**
 * An incremental scanner that tells when a streamed JSON document (a tool call's arguments) has
 * closed its top-level object or array, so the buffer is parsed once, when it can be complete,
 * instead of on every delta (linear, not quadratic, in the arguments' length).
 * It looks at each character once and tracks only nesting depth and string state.
 */

/** Where the scanner is. Immutable: a chunk that changes it gives a new value. */
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
  /**
   * The top-level value closed within the last chunk (the moment worth one `JSON.parse` of the
   * whole buffer). A field rather than a wrapper object, so a chunk costs no extra allocation.
   */
  readonly closedNow: boolean;
}

export const JSON_SCAN_START: JsonScan = Object.freeze({
  depth: 0,
  inString: false,
  escape: false,
  closed: false,
  broken: false,
  closedNow: false,
});

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
 * @return The new state, with `closedNow` set when the top-level value closed within this chunk;
 * `scan` itself when the chunk changed nothing (most deltas inside a string).
 */
export function scanJson(scan: JsonScan, chunk: string): JsonScan {
  if (scan.broken) return scan.closedNow ? broken(scan) : scan;
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
      if (depth === 0) return broken(scan);
      inString = true;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (closed) return broken(scan);
      depth += 1;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth -= 1;
      if (depth < 0) return broken(scan);
      if (depth === 0) closed = true;
    } else if (depth === 0 && !isWhitespace(code)) {
      // A scalar at top level, or text after the closed value.
      return broken(scan);
    }
  }
  const closedNow = closed && !wasClosed;
  if (
    !closedNow &&
    !scan.closedNow &&
    depth === scan.depth &&
    inString === scan.inString &&
    escape === scan.escape &&
    closed === wasClosed
  ) {
    return scan;
  }
  return { depth, inString, escape, closed, broken: false, closedNow };
}

/** Gives up: broken stays broken. */
function broken(scan: JsonScan): JsonScan {
  return { depth: scan.depth, inString: scan.inString, escape: scan.escape, closed: scan.closed, broken: true, closedNow: false };
}
