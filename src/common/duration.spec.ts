import { parseDuration } from './duration';

describe('parseDuration (Go duration strings)', () => {
  it.each([
    ['90s', 90_000],
    ['5m', 300_000],
    ['60m', 3_600_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1.5h', 5_400_000],
  ])('%s = %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '5', 'five minutes', '5 m', '-5m', '5d'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});
