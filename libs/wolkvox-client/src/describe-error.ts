/** `Name: message` of a network fault, and the code of its cause (undici wraps socket errors). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = errorCode(error);
  const text = `${error.name}: ${error.message}`;
  return typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
}

/** A connection that was never made: no request reached the server. */
export function neverConnected(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
}

/** The error's code, or its cause's (undici wraps socket errors). */
function errorCode(error: unknown): unknown {
  if (!(error instanceof Error)) return undefined;
  const cause = error.cause instanceof Error ? error.cause : undefined;
  return (error as { code?: unknown }).code ?? (cause as { code?: unknown } | undefined)?.code;
}
