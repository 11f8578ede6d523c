import { EMAIL_SENT_MAJOR, unsupportedMajor } from './event-version.js';

describe('unsupportedMajor', () => {
  const v1 = {
    type: 'email.sent',
    dataschema: 'urn:wolkvox-email-events:schema:email-sent:v1#/properties/data',
  };

  it('reads version 1, the package major', () => {
    expect(EMAIL_SENT_MAJOR).toBe(1);
    expect(unsupportedMajor(v1)).toBeNull();
  });

  it('lets a newer minor through: v1 with fields this version does not know', () => {
    expect(
      unsupportedMajor({ ...v1, traceparent: '00-abc', data: { priority: 'high' } }),
    ).toBeNull();
  });

  it('refuses a type of another major, naming it and the package release that reads it', () => {
    expect(unsupportedMajor({ ...v1, type: 'email.sent.v2' })).toEqual({
      major: 2,
      error:
        'type: "email.sent.v2" is email.sent major version 2; this decoder reads version 1 only ' +
        '(a 2.x release of @wolkvox-email-events/contracts reads it)',
    });
  });

  it('refuses a dataschema of another major even under the v1 type', () => {
    const refused = unsupportedMajor({
      ...v1,
      dataschema: 'urn:wolkvox-email-events:schema:email-sent:v3#/properties/data',
    });
    expect(refused?.major).toBe(3);
    expect(refused?.error).toMatch(
      /^dataschema: ".*email-sent:v3#\/properties\/data" is email.sent major version 3;/,
    );
  });

  it('leaves what names no version to the schema', () => {
    for (const envelope of [null, 'text', {}, { type: 'other' }, { type: 'email.sent.vx' }]) {
      expect(unsupportedMajor(envelope)).toBeNull();
    }
  });
});
