/**
 * An incremental parser of a JSON text that arrives in pieces. Each character is read once,
 * so a whole text costs linear time however finely it is split; after each piece, the value so
 * far is available as a snapshot.
 *
 * What a snapshot shows of an unfinished text:
 * 1. Objects and arrays as soon as they open, with the members and elements that have started.
 * 2. A string value as far as it has arrived (an unfinished escape is left out until complete).
 * 3. A number, `true`, `false` or `null` once it is complete (a partial `12` may become `123`).
 * 4. An object member once its value has started: never a member with only a partial key.
 *
 * Snapshots are frozen, deeply: a finished subtree is shared between successive snapshots
 * rather than copied, and freezing keeps a consumer from changing a later one through it.
 */
export class PartialJsonParser {
  /** Open containers, root first. */
  readonly #stack: Frame[] = [];
  #state: State = State.Value;
  /** The root value, once complete. */
  #root: unknown = undefined;
  #hasRoot = false;
  /** The token being read: a string's decoded text, a number's or literal's characters. */
  #token = '';
  /** An escape being read inside a string (`\`, `\u00`, …), '' when none. */
  #escape = '';
  /** Whether the string being read is an object key. */
  #stringIsKey = false;
  #changed = false;
  #snapshot: unknown = undefined;
  #snapshotStale = false;

  /** True once the text is not JSON (nothing after that changes the snapshot). */
  get failed(): boolean {
    return this.#state === State.Failed;
  }

  /**
   * Reads the next piece of the text.
   * @return True when the value so far changed.
   */
  push(piece: string): boolean {
    this.#changed = false;
    for (let i = 0; i < piece.length && this.#state !== State.Failed; i++) this.#read(piece.charCodeAt(i), piece[i]!);
    if (this.#changed) this.#snapshotStale = true;
    return this.#changed;
  }

  /** The value so far (`undefined` before anything shows), deeply frozen. */
  snapshot(): unknown {
    if (this.#snapshotStale) {
      this.#snapshot = this.#build();
      this.#snapshotStale = false;
    }
    return this.#snapshot;
  }

  #read(code: number, char: string): void {
    switch (this.#state) {
      case State.String:
        this.#readStringChar(code, char);
        return;
      case State.Number:
        if ((code >= 0x30 && code <= 0x39) || code === 0x2e || code === 0x65 || code === 0x45 || code === 0x2b || code === 0x2d) {
          this.#token += char;
          return;
        }
        this.#endNumber();
        if (!this.failed) this.#read(code, char);
        return;
      case State.Literal:
        if (code >= 0x61 && code <= 0x7a) {
          this.#token += char;
          if (!LITERALS.some((word) => word.startsWith(this.#token))) this.#fail();
          return;
        }
        this.#endLiteral();
        if (!this.failed) this.#read(code, char);
        return;
      default:
        break;
    }
    if (code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) return;
    switch (this.#state) {
      case State.Value:
        this.#startValue(code, char);
        return;
      case State.Key:
        if (code === 0x22) {
          this.#state = State.String;
          this.#stringIsKey = true;
          this.#token = '';
        } else if (code === 0x7d && this.#top()?.kind === 'object' && this.#top()!.empty) {
          this.#closeContainer();
        } else {
          this.#fail();
        }
        return;
      case State.Colon:
        if (code === 0x3a) this.#state = State.Value;
        else this.#fail();
        return;
      case State.AfterValue: {
        const top = this.#top();
        if (top === undefined) return this.#fail();
        if (code === 0x2c) this.#state = top.kind === 'object' ? State.Key : State.Value;
        else if ((code === 0x7d && top.kind === 'object') || (code === 0x5d && top.kind === 'array')) this.#closeContainer();
        else this.#fail();
        return;
      }
      case State.End:
        this.#fail();
        return;
      default:
        return;
    }
  }

  #startValue(code: number, char: string): void {
    if (code === 0x7b || code === 0x5b) {
      const frame: Frame =
        code === 0x7b
          ? { kind: 'object', value: {}, key: undefined, empty: true }
          : { kind: 'array', value: [], key: undefined, empty: true };
      this.#stack.push(frame);
      this.#state = code === 0x7b ? State.Key : State.Value;
      this.#changed = true;
      return;
    }
    if (code === 0x5d) {
      // `[]`: a close right after the open bracket.
      const top = this.#top();
      if (top?.kind === 'array' && top.empty) return this.#closeContainer();
      return this.#fail();
    }
    if (code === 0x22) {
      this.#state = State.String;
      this.#stringIsKey = false;
      this.#token = '';
      this.#changed = true;
      return;
    }
    if (code === 0x2d || (code >= 0x30 && code <= 0x39)) {
      this.#state = State.Number;
      this.#token = char;
      return;
    }
    if (code >= 0x61 && code <= 0x7a) {
      this.#state = State.Literal;
      this.#token = char;
      if (!LITERALS.some((word) => word.startsWith(char))) this.#fail();
      return;
    }
    this.#fail();
  }

  #readStringChar(code: number, char: string): void {
    if (this.#escape !== '') {
      this.#escape += char;
      if (this.#escape.length === 2) {
        if (char === 'u') return;
        const decoded = ESCAPES[char];
        if (decoded === undefined) return this.#fail();
        this.#appendToString(decoded);
      } else if (this.#escape.length === 6) {
        const hex = this.#escape.slice(2);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) return this.#fail();
        this.#appendToString(String.fromCharCode(parseInt(hex, 16)));
      } else if (!/[0-9a-fA-F]/.test(char)) {
        return this.#fail();
      }
      return;
    }
    if (code === 0x5c) {
      this.#escape = '\\';
      return;
    }
    if (code === 0x22) {
      this.#state = State.AfterValue;
      const text = this.#token;
      this.#token = '';
      if (this.#stringIsKey) {
        this.#top()!.key = text;
        this.#state = State.Colon;
      } else {
        this.#complete(text);
      }
      return;
    }
    if (code < 0x20) return this.#fail();
    this.#appendToString(char);
  }

  #appendToString(text: string): void {
    this.#escape = '';
    this.#token += text;
    if (!this.#stringIsKey) this.#changed = true;
  }

  #endNumber(): void {
    const text = this.#token;
    this.#token = '';
    if (!NUMBER.test(text)) return this.#fail();
    this.#complete(Number(text));
    this.#changed = true;
  }

  #endLiteral(): void {
    const text = this.#token;
    this.#token = '';
    if (text === 'true') this.#complete(true);
    else if (text === 'false') this.#complete(false);
    else if (text === 'null') this.#complete(null);
    else return this.#fail();
    this.#changed = true;
  }

  /** A value is complete: it joins its container, or becomes the root. */
  #complete(value: unknown): void {
    const top = this.#top();
    if (top === undefined) {
      this.#root = value;
      this.#hasRoot = true;
      this.#state = State.End;
      return;
    }
    if (top.kind === 'array') (top.value as unknown[]).push(value);
    else setMember(top.value as Record<string, unknown>, top.key!, value);
    top.key = undefined;
    top.empty = false;
    this.#state = State.AfterValue;
  }

  #closeContainer(): void {
    // The closed container was already shown with everything in it: the value does not change.
    const frame = this.#stack.pop()!;
    this.#complete(Object.freeze(frame.value));
  }

  #fail(): void {
    this.#state = State.Failed;
  }

  #top(): Frame | undefined {
    return this.#stack[this.#stack.length - 1];
  }

  /** The value so far: each open container copied (its finished members shared), innermost first. */
  #build(): unknown {
    if (this.#hasRoot) return this.#root;
    let inner: unknown;
    let hasInner = false;
    if (this.#state === State.String && !this.#stringIsKey) {
      inner = this.#token;
      hasInner = true;
    }
    for (let depth = this.#stack.length - 1; depth >= 0; depth--) {
      const frame = this.#stack[depth]!;
      let copy: unknown[] | Record<string, unknown>;
      if (frame.kind === 'array') {
        copy = (frame.value as unknown[]).slice();
        if (hasInner) copy.push(inner);
      } else {
        copy = { ...(frame.value as Record<string, unknown>) };
        if (hasInner && frame.key !== undefined) setMember(copy, frame.key, inner);
      }
      inner = Object.freeze(copy);
      hasInner = true;
    }
    return inner;
  }
}

enum State {
  /** Expecting a value. */
  Value,
  /** Expecting a key (or `}` in an empty object). */
  Key,
  Colon,
  AfterValue,
  String,
  Number,
  Literal,
  /** The root value is complete: only white space may follow. */
  End,
  Failed,
}

interface Frame {
  kind: 'object' | 'array';
  value: Record<string, unknown> | unknown[];
  /** The key of the member being read (objects). */
  key: string | undefined;
  empty: boolean;
}

const LITERALS = ['true', 'false', 'null'];
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Sets a member as JSON.parse does: `__proto__` becomes an own property, never the prototype. */
function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}
