import { readFileSync } from 'node:fs';
import { checkSecretRead, type SecretCheck, type SecretRule } from './secret-change.js';
import { Redacted } from './secret.js';

export type ReadFile = (path: string) => string;

/** What a re-read found, for whoever logs and counts it; never the value. */
export type SecretEvent = { kind: 'changed' } | { kind: 'unusable'; problem: string };

/**
 * A secret given either as a value (it never changes) or as a file that is read again on
 * request, so that a rotated secret is picked up without a restart.
 *
 * Each `reread()` opens the path anew and reads its whole content. That is what survives the way
 * Kubernetes updates a mounted Secret: the file is a symlink through `..data`, which the kubelet
 * swaps atomically (rename) to a new timestamped directory; the old file is never written. A
 * watch on the file (inotify, `fs.watch`) follows the old inode and sees nothing, or loses the
 * watch when the old directory is removed; a fresh open follows the symlinks to the new file
 * every time. The file is a few bytes, so reading it every few seconds costs nothing.
 */
export class RotatingSecret extends Redacted {
  #value: string;
  #version = 0;
  /** Every value held, old ones too: an old token in a log line is still a leak. */
  readonly #values = new Set<string>();
  #problem: string | undefined;
  readonly #listeners = new Set<(event: SecretEvent) => void>();

  private constructor(
    /** The variable that names it (`WOLKVOX_TOKEN_FILE`): for logs, metrics and messages. */
    readonly variable: string,
    value: string,
    /** The file it is read from; undefined for a value given directly. */
    readonly path: string | undefined,
    private readonly rule: SecretRule,
    private readonly readFile: ReadFile,
  ) {
    super();
    this.#value = value;
    this.#values.add(value);
  }

  /** A value given directly (`WOLKVOX_TOKEN`): it cannot change while the process runs. */
  static fixed(variable: string, value: string): RotatingSecret {
    return new RotatingSecret(
      variable,
      value,
      undefined,
      () => undefined,
      () => value,
    );
  }

  /** Reads `path` once; the problem (never the content) when it holds nothing usable. */
  static fromFile(
    variable: string,
    path: string,
    rule: SecretRule = () => undefined,
    readFile: ReadFile = (p) => readFileSync(p, 'utf8'),
  ): { ok: true; secret: RotatingSecret } | { ok: false; problem: string } {
    const check = checkSecretRead(path, readWith(readFile, path), undefined, rule);
    if (check.kind === 'unusable') return { ok: false, problem: `${variable}: ${check.problem}` };
    if (check.kind === 'unchanged') throw new Error('unreachable: nothing was held before');
    return { ok: true, secret: new RotatingSecret(variable, check.value, path, rule, readFile) };
  }

  reveal(): string {
    return this.#value;
  }

  /** How many times a new value was read (0: still the first one). */
  get version(): number {
    return this.#version;
  }

  /** Why the last read could not be used, until a read succeeds again. */
  get problem(): string | undefined {
    return this.#problem;
  }

  values(): string[] {
    return [...this.#values];
  }

  /** Reads the file again; a new usable value replaces the one in use, and listeners hear it. */
  reread(): SecretCheck {
    if (this.path === undefined) return { kind: 'unchanged' };
    const check = checkSecretRead(
      this.path,
      readWith(this.readFile, this.path),
      this.#value,
      this.rule,
    );
    if (check.kind === 'unusable') {
      // Told once per problem, not on every read while it lasts.
      if (check.problem !== this.#problem) {
        this.#problem = check.problem;
        this.#emit({ kind: 'unusable', problem: check.problem });
      }
      return check;
    }
    this.#problem = undefined;
    if (check.kind === 'changed') {
      this.#value = check.value;
      this.#values.add(check.value);
      this.#version += 1;
      this.#emit({ kind: 'changed' });
    }
    return check;
  }

  /** Calls `listener` after each re-read that changed the value or found it unusable. */
  subscribe(listener: (event: SecretEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: SecretEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}

function readWith(readFile: ReadFile, path: string) {
  try {
    return { ok: true as const, text: readFile(path) };
  } catch (error) {
    return { ok: false as const, code: (error as NodeJS.ErrnoException).code ?? 'unreadable' };
  }
}
