import { inspect } from 'node:util';
import { tokenFileDouble } from './__tests__/token-file-double.js';
import { RotatingSecret, type SecretEvent } from './rotating-secret.js';

function watched(initial: string) {
  const { file, secret } = tokenFileDouble(initial);
  const events: SecretEvent[] = [];
  secret.subscribe((event) => events.push(event));
  return { file, secret, events };
}

describe('RotatingSecret', () => {
  it('takes a new value on the read after the file changed, once, and remembers the old ones', () => {
    const { file, secret, events } = watched('token-a\n');
    expect(secret.reveal()).toBe('token-a');
    expect(secret.reread()).toEqual({ kind: 'unchanged' });

    file.content = 'token-b\n';
    expect(secret.reread()).toEqual({ kind: 'changed', value: 'token-b' });
    expect(secret.reread()).toEqual({ kind: 'unchanged' });
    expect(secret.reveal()).toBe('token-b');
    expect(secret.version).toBe(1);
    expect(secret.values()).toEqual(['token-a', 'token-b']);
    expect(events).toEqual([{ kind: 'changed' }]);
  });

  it('keeps the value in use while the file is missing or empty, telling each problem once', () => {
    const { file, secret, events } = watched('token-a');
    file.content = undefined;
    secret.reread();
    secret.reread();
    file.content = '';
    secret.reread();
    expect(secret.reveal()).toBe('token-a');
    expect(secret.problem).toBe('/s/token is empty');
    file.content = 'token-a';
    expect(secret.reread()).toEqual({ kind: 'unchanged' });
    expect(secret.problem).toBeUndefined();
    expect(events).toEqual([
      { kind: 'unusable', problem: 'cannot read /s/token (ENOENT)' },
      { kind: 'unusable', problem: '/s/token is empty' },
    ]);
  });

  it('says at start why a file cannot be used, naming the variable and not the content', () => {
    expect(
      RotatingSecret.fromFile('KAFKA_SASL_PASSWORD_FILE', '/s/pw', undefined, () => ' \n'),
    ).toEqual({ ok: false, problem: 'KAFKA_SASL_PASSWORD_FILE: /s/pw is empty' });
  });

  it('never changes when given as a value, and never prints it', () => {
    const secret = RotatingSecret.fixed('WOLKVOX_TOKEN', 'tok-fixed-77');
    expect(secret.reread()).toEqual({ kind: 'unchanged' });
    expect(secret.path).toBeUndefined();
    const printed = `${String(secret)} ${JSON.stringify({ secret })} ${inspect({ secret })}`;
    expect(printed).not.toContain('tok-fixed-77');
  });
});
