import { inspect } from 'node:util';

/**
 * A value that must never reach logs, errors, metrics or health output (the Wolkvox token, the
 * SASL password). Every way a value is usually printed shows `[redacted]`; only `reveal()` gives
 * it, at the one place that sends it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}
