/**
 * A value that must never reach a report, a log or an error message. `toString`/`toJSON` print a
 * placeholder; only `reveal()` gives the value, at the point of use. Every revealed value is also
 * registered with the redactor so that it is scrubbed if it leaks into text anyway.
 */
import { registerSecret } from './redact.js';

export class Secret {
  readonly #value: string;
  constructor(
    value: string,
    readonly label = 'secret',
  ) {
    this.#value = value;
    registerSecret(value);
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return `[${this.label}]`;
  }
  toJSON(): string {
    return this.toString();
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
