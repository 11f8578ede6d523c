import { RotatingSecret } from '../rotating-secret.js';

/**
 * WOLKVOX_TOKEN_FILE at `/s/token` for unit tests: `file.content` is what the next open of the
 * path returns (undefined: the file is gone), so a test changes it between re-reads.
 */
export function tokenFileDouble(initial: string) {
  const file = { content: initial as string | undefined };
  const result = RotatingSecret.fromFile('WOLKVOX_TOKEN_FILE', '/s/token', undefined, () => {
    if (file.content === undefined) throw Object.assign(new Error('gone'), { code: 'ENOENT' });
    return file.content;
  });
  if (!result.ok) throw new Error(result.problem);
  return { file, secret: result.secret };
}
