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
  it("answers body errors as 4xx in minion's words, and leaves every other error alone", () => {
    // What Nest makes of Fastify's FST_ERR_CTP_BODY_TOO_LARGE.
    const tooLarge = bodyReadError(new HttpException('Request body is too large', 413));
    expect(tooLarge?.getStatus()).toBe(413);
    expect(tooLarge?.message).toBe('request body is larger than 1 MiB');
    // A corrupt gzip body: zlib's error, given a 400 by Fastify.
    const corrupt = bodyReadError(
      Object.assign(new Error('incorrect header check'), { statusCode: 400 }),
    );
    expect(corrupt?.getStatus()).toBe(400);
    expect(corrupt?.message).toBe('request body cannot be read');
    expect(bodyReadError(new HttpException('not found', 404))).toBeNull();
    expect(bodyReadError(new Error('boom'))).toBeNull();
    expect(bodyReadError(Object.assign(new Error('x'), { statusCode: 500 }))).toBeNull();
  });
});
