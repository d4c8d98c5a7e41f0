import { skipReason } from './skip-tag';

const NOW = new Date('2026-12-07T12:00:00Z');

describe('skipReason (the per-resource skip tag)', () => {
  it('no tag: not skipped', () => {
    expect(skipReason({ Team: 'x' }, 'minion:skip', NOW)).toBeNull();
  });

  it('an empty value or "true": skipped until the tag is removed', () => {
    expect(skipReason({ 'minion:skip': '' }, 'minion:skip', NOW)).toBe('tag minion:skip');
    expect(skipReason({ 'minion:skip': 'TRUE' }, 'minion:skip', NOW)).toBe('tag minion:skip');
  });

  it('an RFC 3339 time: skipped until then, and not after', () => {
    const tags = { 'minion:skip': '2026-12-11T18:00:00+01:00' };
    expect(skipReason(tags, 'minion:skip', NOW)).toBe(
      'tag minion:skip until 2026-12-11T18:00:00+01:00',
    );
    expect(skipReason(tags, 'minion:skip', new Date('2026-12-11T17:00:00Z'))).toBeNull();
  });

  it('any other value still skips, and says it is not a time', () => {
    expect(skipReason({ 'minion:skip': 'friday' }, 'minion:skip', NOW)).toMatch(
      /tag minion:skip="friday" \(not an RFC 3339 time/,
    );
    // A date alone is not an instant: read as not a time, so still skipped.
    expect(skipReason({ 'minion:skip': '2026-12-11' }, 'minion:skip', NOW)).toMatch(
      /not an RFC 3339 time/,
    );
  });

  it('the tag key is the configured one', () => {
    expect(skipReason({ 'minion:skip': '' }, 'ops/hold', NOW)).toBeNull();
    expect(skipReason({ 'ops/hold': '' }, 'ops/hold', NOW)).toBe('tag ops/hold');
  });
});
