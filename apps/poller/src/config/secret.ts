import { inspect } from 'node:util';

/**
 * What must never reach logs, errors, metrics or health output (the Wolkvox token, the SASL
 * password). Every way a value is usually printed shows `[redacted]`; only `reveal()` gives it,
 * at the places that send it.
 */
export abstract class Redacted {
  abstract reveal(): string;

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return `${this.constructor.name}([redacted])`;
  }
}

/** A secret value that never changes. */
export class Secret extends Redacted {
  readonly #value: string;

  constructor(value: string) {
    super();
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }
}
