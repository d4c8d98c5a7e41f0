import { InvalidFieldError } from '../common/errors';
import { jobIdForKey } from './idempotency-key';

describe('jobIdForKey', () => {
  it('derives one UUID per account, group and key', () => {
    const id = jobIdForKey('acct', 'g', 'order-42');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(jobIdForKey('acct', 'g', 'order-42')).toBe(id);
    expect(
      new Set([
        id,
        jobIdForKey('acct', 'g', 'order-43'),
        jobIdForKey('acct', 'h', 'order-42'),
        jobIdForKey('other', 'g', 'order-42'),
      ]).size,
    ).toBe(4);
  });

  it.each([[''], ['with space'], ['x'.repeat(201)], ['é']])(
    'refuses %j naming the header',
    (key) => {
      expect(() => jobIdForKey('acct', 'g', key)).toThrow(InvalidFieldError);
      expect(() => jobIdForKey('acct', 'g', key)).toThrow(/^Idempotency-Key: /);
    },
  );
});
