import { checkSecretRead } from './secret-change.js';

const noSpaces = (value: string) => (/\s/.test(value) ? 'must have no spaces' : undefined);

describe('checkSecretRead', () => {
  it('takes the trimmed content when it differs from the value in use', () => {
    expect(checkSecretRead('/s/token', { ok: true, text: 'new-1\n' }, 'old-1', noSpaces)).toEqual({
      kind: 'changed',
      value: 'new-1',
    });
    expect(checkSecretRead('/s/token', { ok: true, text: ' old-1\n' }, 'old-1', noSpaces)).toEqual({
      kind: 'unchanged',
    });
  });

  it('keeps the value in use when the file is unreadable, empty or breaks the rule, never quoting it', () => {
    expect(checkSecretRead('/s/token', { ok: false, code: 'ENOENT' }, 'old-1', noSpaces)).toEqual({
      kind: 'unusable',
      problem: 'cannot read /s/token (ENOENT)',
    });
    expect(checkSecretRead('/s/token', { ok: true, text: ' \n' }, 'old-1', noSpaces)).toEqual({
      kind: 'unusable',
      problem: '/s/token is empty',
    });
    const broken = checkSecretRead('/s/token', { ok: true, text: 'se cret' }, 'old-1', noSpaces);
    expect(broken).toEqual({ kind: 'unusable', problem: '/s/token: must have no spaces' });
    expect(JSON.stringify(broken)).not.toContain('se cret');
  });
});
