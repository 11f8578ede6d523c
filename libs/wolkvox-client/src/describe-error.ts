/** `Name: message` of a network fault, and the code of its cause (undici wraps socket errors). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const code =
    (error as { code?: unknown }).code ?? (cause as { code?: unknown } | undefined)?.code;
  const text = `${error.name}: ${error.message}`;
  return typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
}
