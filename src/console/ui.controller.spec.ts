import { acceptsGzip } from './ui.controller';

describe('acceptsGzip', () => {
  it.each([
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['br;q=1, gzip;q=0.5', true],
    ['*', true],
    ['gzip;q=0, *', false],
    ['*, gzip;q=0', false],
    ['gzip;q=0', false],
    ['*;q=0', false],
    ['br', false],
    ['', false],
    [undefined, false],
  ])('Accept-Encoding %j: %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});
