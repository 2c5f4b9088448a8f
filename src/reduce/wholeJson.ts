const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const isOpener = (code: number): boolean => code === 0x7b || code === 0x5b;
const isCloser = (code: number): boolean => code === 0x7d || code === 0x5d;
const isWhitespace = (code: number): boolean => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;

/**
 * Follows streamed JSON (a tool call's arguments) far enough to tell when it can be whole: one
 * object or array, closed, with only whitespace after it. The arguments are parsed only then,
 * not on every delta, so their cost stays linear in their length. Each character is looked at
 * once, for nesting and strings only.
 */
export class WholeJson {
  /** Open `{` and `[` outside strings. */
  private depth = 0;
  private inString = false;
  /** The previous character in a string was an unescaped backslash. */
  private escaped = false;
  private closed = false;
  /** A scalar, a stray closer or a second value: never one object or array. */
  private invalid = false;

  /** The text so far can be one whole object or array. */
  get whole(): boolean {
    return this.closed && !this.invalid;
  }

  feed(chunk: string): void {
    let { depth, inString, escaped, closed } = this;
    for (let i = 0; i < chunk.length && !this.invalid; i++) {
      const code = chunk.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (code === BACKSLASH) escaped = true;
        else if (code === QUOTE) inString = false;
      } else if (depth > 0) {
        if (code === QUOTE) inString = true;
        else if (isOpener(code)) depth += 1;
        else if (isCloser(code) && --depth === 0) closed = true;
      } else if (isOpener(code) && !closed) depth = 1;
      else if (!isWhitespace(code)) this.invalid = true;
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    this.closed = closed;
  }
}
