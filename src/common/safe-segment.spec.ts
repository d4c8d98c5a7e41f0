import { isSafeSegment, segmentFileName, segmentFromFileName } from './safe-segment';

describe('segment file names', () => {
  it('decodes what it encoded, plain names (the fast path) and escaped ones alike', () => {
    for (const segment of [
      'job-1',
      'a.b_c',
      '-x',
      '100%',
      '.hidden',
      '..x',
      'é ✓',
      'a'.repeat(256),
    ]) {
      expect(segmentFromFileName(segmentFileName(segment))).toBe(segment);
    }
  });

  it('refuses names it cannot have produced, plain-looking ones included', () => {
    // Too long to be a segment (257 bytes), a hidden entry, a bad escape, an unescaped "%".
    for (const name of ['a'.repeat(257), '.tmp', '%2', '%41', '50%']) {
      expect(segmentFromFileName(name)).toBeNull();
    }
    expect(isSafeSegment('a'.repeat(257))).toBe(false);
  });
});
