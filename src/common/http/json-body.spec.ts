import { HttpException } from '@nestjs/common';
import { bodyReadError, MAX_BODY_DEPTH, parseJsonBody } from './json-body';

function refusal(contentType: string | undefined, body: string | Buffer): [number, string] {
  try {
    parseJsonBody(contentType, Buffer.isBuffer(body) ? body : Buffer.from(body));
  } catch (err) {
    const e = err as HttpException;
    return [e.getStatus(), e.message];
  }
  throw new Error('accepted');
}

describe('parseJsonBody', () => {
  it('reads an object or an array whatever the content type, an empty body as {}', () => {
    expect(parseJsonBody('application/x-www-form-urlencoded', Buffer.from('{"a":1}'))).toEqual({
      a: 1,
    });
    expect(parseJsonBody(undefined, Buffer.from(' \n[1]'))).toEqual([1]);
    expect(parseJsonBody('application/json', Buffer.alloc(0))).toEqual({});
    expect(parseJsonBody('application/json; charset=UTF-8', Buffer.from('\ufeff{"b":2}'))).toEqual({
      b: 2,
    });
  });

  it('refuses what is not a JSON object or array, as Express did in strict mode', () => {
    expect(refusal('application/json', '"text"')).toEqual([400, 'request body is not valid JSON']);
    expect(refusal('application/json', '7')).toEqual([400, 'request body is not valid JSON']);
    expect(refusal('application/json', '{"a":')).toEqual([400, 'request body is not valid JSON']);
  });

  it(`refuses nesting deeper than ${MAX_BODY_DEPTH} before parsing`, () => {
    const deep = '['.repeat(MAX_BODY_DEPTH + 1) + ']'.repeat(MAX_BODY_DEPTH + 1);
    expect(refusal(undefined, deep)[0]).toBe(400);
    expect(refusal(undefined, deep)[1]).toContain('deeper than 32');
    const ok = '['.repeat(MAX_BODY_DEPTH) + ']'.repeat(MAX_BODY_DEPTH);
    expect(parseJsonBody(undefined, Buffer.from(ok))).toBeInstanceOf(Array);
  });

  it('reads UTF-16 when the charset says so, and refuses a charset outside UTF', () => {
    const utf16 = Buffer.from('{"c":"é"}', 'utf16le');
    expect(parseJsonBody('application/json; charset=utf-16le', utf16)).toEqual({ c: 'é' });
    expect(refusal('application/json; charset=latin1', '{}')).toEqual([
      415,
      'request body charset is not supported (send UTF-8)',
    ]);
  });
});

describe('bodyReadError', () => {
  it("answers Fastify's own body errors as 4xx, and leaves every other error alone", () => {
    const tooLarge = bodyReadError({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });
    expect(tooLarge?.getStatus()).toBe(413);
    expect(tooLarge?.message).toBe('request body is larger than 1 MiB');
    const badLength = bodyReadError({
      code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH',
      statusCode: 400,
    });
    expect(badLength?.getStatus()).toBe(400);
    expect(bodyReadError(new Error('boom'))).toBeNull();
    expect(bodyReadError({ code: 'FST_ERR_SOMETHING', statusCode: 500 })).toBeNull();
  });
});
