/**
 * Parses the Reports Manager envelope `{ "code", "error", "msg", "data": [ ... ] }` from a byte
 * stream without ever holding the whole body, as bytes or as one string. Each element of
 * `data` is cut out of the stream, decoded and `JSON.parse`d on its own and handed to a
 * callback, so the peak is the records the caller keeps plus one element (PARSING.md has the
 * measurements that chose this over `body.text()` + `JSON.parse`).
 *
 * The scanner works on UTF-8 bytes: every structural character of JSON is ASCII and no byte of
 * a multi-byte UTF-8 sequence is below 0x80, so `"`, `\`, brackets and commas found in the
 * bytes are always real. Values are validated by `JSON.parse`; the scanner checks the
 * punctuation between them.
 */

export class EnvelopeSyntaxError extends Error {
  override readonly name = 'EnvelopeSyntaxError';
}

/** What the envelope held besides the elements of `data`, which went to the callback. */
export interface ParsedEnvelope {
  /** Members other than `data` (`code`, `error`, `msg`, and any Wolkvox adds). */
  members: Record<string, unknown>;
  /**
   * `array`: data was an array (its elements went to the callback); `object`: a single object
   * (it went to the callback); `absent`: no data member; `other`: null, a string, ... (in
   * `otherData`).
   */
  dataShape: 'array' | 'object' | 'absent' | 'other';
  otherData?: unknown;
  /** Elements handed to the callback. */
  elements: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

const enum State {
  BeforeRoot,
  MemberOrEnd,
  Member,
  Key,
  Colon,
  Value,
  AfterMember,
  ElementOrEnd,
  Element,
  AfterElement,
  AfterRoot,
}

/** What a value being captured is: it decides where the value ends. */
const enum Shape {
  Container,
  String,
  Primitive,
}

/**
 * Collects the bytes of one JSON value that may span chunks, and finds where it ends. Strings
 * are skipped with `indexOf` rather than byte by byte: record bodies are most of the bytes.
 */
class ValueCapture {
  #pieces: Buffer[] = [];
  #shape = Shape.Primitive;
  #depth = 0;
  #inString = false;
  #escaped = false;
  active = false;
  // Positions of the next '"' and '\\' at or after the last search in #searched; -1 when the
  // chunk has none left. Without them, each string would search to the chunk's end again for a
  // backslash that is not there: quadratic in the strings per chunk.
  #searched: Buffer | undefined;
  #nextQuote = -1;
  #nextBackslash = -1;

  begin(first: number): void {
    this.#pieces = [];
    this.#depth = 0;
    this.#escaped = false;
    this.active = true;
    if (first === OPEN_BRACE || first === OPEN_BRACKET) {
      this.#shape = Shape.Container;
      this.#inString = false;
    } else if (first === QUOTE) {
      this.#shape = Shape.String;
      // The opening quote is consumed by scan() below, which flips this to true.
      this.#inString = false;
    } else {
      this.#shape = Shape.Primitive;
      this.#inString = false;
    }
  }

  /**
   * Scans `chunk` from `start`. Returns the index just past the value's end, or -1 when the
   * value continues in the next chunk (the bytes seen are kept).
   */
  scan(chunk: Buffer, start: number): number {
    const end =
      this.#shape === Shape.Primitive
        ? this.#scanPrimitive(chunk, start)
        : this.#scanNested(chunk, start);
    if (end < 0) this.#pieces.push(chunk.subarray(start));
    return end;
  }

  /** The captured value's text, ending at `end` in the last chunk. */
  text(chunk: Buffer, start: number, end: number): string {
    this.active = false;
    if (this.#pieces.length === 0) return chunk.toString('utf8', start, end);
    const whole = Buffer.concat([...this.#pieces, chunk.subarray(0, end)]);
    this.#pieces = [];
    return whole.toString('utf8');
  }

  #scanPrimitive(chunk: Buffer, start: number): number {
    for (let i = start; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === COMMA || byte === CLOSE_BRACE || byte === CLOSE_BRACKET || isWhitespace(byte)) {
        return i;
      }
    }
    return -1;
  }

  #scanNested(chunk: Buffer, start: number): number {
    let i = start;
    const length = chunk.length;
    while (i < length) {
      if (this.#inString) {
        if (this.#escaped) {
          this.#escaped = false;
          i += 1;
          continue;
        }
        const quote = this.#next(chunk, i, QUOTE);
        const backslash = this.#next(chunk, i, BACKSLASH);
        if (quote < 0 && backslash < 0) return -1;
        if (backslash >= 0 && (quote < 0 || backslash < quote)) {
          this.#escaped = true;
          i = backslash + 1;
          continue;
        }
        this.#inString = false;
        i = quote + 1;
        if (this.#shape === Shape.String) return i;
        continue;
      }
      const byte = chunk[i];
      if (byte === QUOTE) this.#inString = true;
      else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) this.#depth += 1;
      else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        this.#depth -= 1;
        if (this.#depth === 0) return i + 1;
      }
      i += 1;
    }
    return -1;
  }

  /** Call for each new chunk: a producer may hand the same Buffer again with new contents. */
  forgetSearches(): void {
    this.#searched = undefined;
  }

  #next(chunk: Buffer, from: number, byte: typeof QUOTE | typeof BACKSLASH): number {
    if (this.#searched !== chunk) {
      this.#searched = chunk;
      this.#nextQuote = chunk.indexOf(QUOTE, from);
      this.#nextBackslash = chunk.indexOf(BACKSLASH, from);
    }
    if (byte === QUOTE) {
      if (this.#nextQuote >= 0 && this.#nextQuote < from)
        this.#nextQuote = chunk.indexOf(QUOTE, from);
      return this.#nextQuote;
    }
    if (this.#nextBackslash >= 0 && this.#nextBackslash < from) {
      this.#nextBackslash = chunk.indexOf(BACKSLASH, from);
    }
    return this.#nextBackslash;
  }
}

export class EnvelopeStreamParser {
  readonly #onElement: (value: unknown) => void;
  readonly #capture = new ValueCapture();
  #state = State.BeforeRoot;
  #key = '';
  #members: Record<string, unknown> = {};
  #dataShape: ParsedEnvelope['dataShape'] = 'absent';
  #otherData: unknown;
  #elements = 0;
  #bytesSeen = 0;

  /** @param onElement receives each element of `data` (or `data` itself when it is an object) */
  constructor(onElement: (value: unknown) => void) {
    this.#onElement = onElement;
  }

  write(input: Uint8Array): void {
    const chunk = Buffer.isBuffer(input)
      ? input
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    let i = 0;
    // A UTF-8 byte order mark, which some PHP setups emit, is not JSON; skip it.
    if (this.#bytesSeen === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    this.#bytesSeen += chunk.length;
    this.#capture.forgetSearches();
    while (i < chunk.length) i = this.#step(chunk, i);
  }

  /** Call after the last chunk. Throws EnvelopeSyntaxError when the body was not a whole envelope. */
  end(): ParsedEnvelope {
    if (this.#state === State.Value && this.#capture.active) {
      // A primitive at the very end has no delimiter after it; the root object is unclosed anyway.
      throw new EnvelopeSyntaxError('body ends inside a value');
    }
    if (this.#state !== State.AfterRoot) {
      throw new EnvelopeSyntaxError(
        this.#bytesSeen === 0 ? 'empty body' : 'body ends before the envelope is closed',
      );
    }
    const parsed: ParsedEnvelope = {
      members: this.#members,
      dataShape: this.#dataShape,
      elements: this.#elements,
    };
    if (this.#dataShape === 'other') parsed.otherData = this.#otherData;
    return parsed;
  }

  /** Handles what starts at `chunk[i]` in the current state; returns where to continue. */
  #step(chunk: Buffer, i: number): number {
    const byte = chunk[i];
    switch (this.#state) {
      case State.BeforeRoot:
        if (isWhitespace(byte)) return i + 1;
        if (byte !== OPEN_BRACE) throw this.#unexpected(byte, 'the envelope object');
        this.#state = State.MemberOrEnd;
        return i + 1;
      case State.MemberOrEnd:
      case State.Member:
        if (isWhitespace(byte)) return i + 1;
        if (byte === CLOSE_BRACE && this.#state === State.MemberOrEnd) {
          this.#state = State.AfterRoot;
          return i + 1;
        }
        if (byte !== QUOTE) throw this.#unexpected(byte, 'a member name');
        this.#capture.begin(byte);
        this.#state = State.Key;
        return this.#continueKey(chunk, i);
      case State.Key:
        return this.#continueKey(chunk, i);
      case State.Colon:
        if (isWhitespace(byte)) return i + 1;
        if (byte !== COLON) throw this.#unexpected(byte, "':'");
        this.#state = State.Value;
        return i + 1;
      case State.Value:
        if (!this.#capture.active) {
          if (isWhitespace(byte)) return i + 1;
          if (this.#key === 'data' && byte === OPEN_BRACKET) {
            this.#dataSeen('array');
            this.#state = State.ElementOrEnd;
            return i + 1;
          }
          this.#capture.begin(byte);
        }
        return this.#continueValue(chunk, i);
      case State.AfterMember:
        if (isWhitespace(byte)) return i + 1;
        if (byte === COMMA) this.#state = State.Member;
        else if (byte === CLOSE_BRACE) this.#state = State.AfterRoot;
        else throw this.#unexpected(byte, "',' or '}' after a member");
        return i + 1;
      case State.ElementOrEnd:
      case State.Element:
        if (!this.#capture.active) {
          if (isWhitespace(byte)) return i + 1;
          if (byte === CLOSE_BRACKET && this.#state === State.ElementOrEnd) {
            this.#state = State.AfterMember;
            return i + 1;
          }
          if (byte === COMMA || byte === CLOSE_BRACKET || byte === CLOSE_BRACE) {
            throw this.#unexpected(byte, 'an element of data');
          }
          this.#capture.begin(byte);
          this.#state = State.Element;
        }
        return this.#continueElement(chunk, i);
      case State.AfterElement:
        if (isWhitespace(byte)) return i + 1;
        if (byte === COMMA) this.#state = State.Element;
        else if (byte === CLOSE_BRACKET) this.#state = State.AfterMember;
        else throw this.#unexpected(byte, "',' or ']' after an element of data");
        return i + 1;
      case State.AfterRoot:
        if (isWhitespace(byte)) return i + 1;
        throw this.#unexpected(byte, 'nothing after the envelope');
    }
  }

  #continueKey(chunk: Buffer, i: number): number {
    const end = this.#capture.scan(chunk, i);
    if (end < 0) return chunk.length;
    this.#key = parseJson(this.#capture.text(chunk, i, end), 'a member name') as string;
    this.#state = State.Colon;
    return end;
  }

  #continueValue(chunk: Buffer, i: number): number {
    const end = this.#capture.scan(chunk, i);
    if (end < 0) return chunk.length;
    const value = parseJson(this.#capture.text(chunk, i, end), `member ${this.#key}`);
    if (this.#key === 'data') {
      const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
      this.#dataSeen(isObject ? 'object' : 'other');
      if (isObject) this.#emit(value);
      else this.#otherData = value;
    } else {
      this.#members[this.#key] = value;
    }
    this.#state = State.AfterMember;
    return end;
  }

  #continueElement(chunk: Buffer, i: number): number {
    const end = this.#capture.scan(chunk, i);
    if (end < 0) return chunk.length;
    this.#emit(parseJson(this.#capture.text(chunk, i, end), `element ${this.#elements} of data`));
    this.#state = State.AfterElement;
    return end;
  }

  #dataSeen(shape: ParsedEnvelope['dataShape']): void {
    if (this.#dataShape !== 'absent') throw new EnvelopeSyntaxError('data appears twice');
    this.#dataShape = shape;
  }

  #emit(value: unknown): void {
    this.#elements += 1;
    this.#onElement(value);
  }

  #unexpected(byte: number, expected: string): EnvelopeSyntaxError {
    const shown = byte >= 0x20 && byte < 0x7f ? `'${String.fromCharCode(byte)}'` : `byte ${byte}`;
    return new EnvelopeSyntaxError(`expected ${expected}, found ${shown}`);
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // V8's message quotes a few characters around the fault; keep it short.
    throw new EnvelopeSyntaxError(
      `${what} is not valid JSON (${(error as Error).message.slice(0, 80)})`,
    );
  }
}
