import fc from 'fast-check';
import { compareCodePoints, pageOf } from './listing';

const sign = (n: number) => Math.sign(n);

describe('compareCodePoints', () => {
  it('orders as UTF-8 bytes do (S3 order), astral characters included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        const bytes = Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
        expect(sign(compareCodePoints(a, b))).toBe(sign(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('puts a character above U+FFFF after one in U+E000..U+FFFF (UTF-16 order would not)', () => {
    expect(compareCodePoints('\u{1F600}', '\uFF5E')).toBeGreaterThan(0);
    expect(['\u{1F600}', '\uFF5E', 'a'].sort(compareCodePoints)).toEqual([
      'a',
      '\uFF5E',
      '\u{1F600}',
    ]);
  });
});

describe('pageOf', () => {
  it('pages after a name, in code-point order', () => {
    expect(pageOf(['c', 'a', 'b', 'd'], { startAfter: 'b', limit: 1 })).toEqual(['c']);
  });
});
