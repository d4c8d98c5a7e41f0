import * as bcrypt from 'bcryptjs';
import { MinionConfig } from '../config/minion-config';
import { TokenVerifier } from './token-verifier';

// bcryptjs exports are read-only; wrap compare so the tests can count calls.
jest.mock('bcryptjs', () => {
  const actual = jest.requireActual('bcryptjs');
  return { ...actual, compare: jest.fn(actual.compare) };
});
const compare = bcrypt.compare as unknown as jest.Mock;

describe('TokenVerifier', () => {
  const verifier = new TokenVerifier({ token: 's3cret-token' } as MinionConfig);

  it('accepts the plain token and refuses anything else', async () => {
    await expect(verifier.verify('s3cret-token')).resolves.toBe(true);
    await expect(verifier.verify('s3cret-toke')).resolves.toBe(false);
    await expect(verifier.verify('s3cret-token ')).resolves.toBe(false);
    await expect(verifier.verify('')).resolves.toBe(false);
  });

  it('accepts a bcrypt hash of the token ($2a$ and $2b$) and refuses a hash of another', async () => {
    await expect(verifier.verify(await bcrypt.hash('s3cret-token', 4))).resolves.toBe(true);
    const b = (await bcrypt.hash('s3cret-token', 4)).replace(/^\$2a\$/, '$2b$');
    await expect(verifier.verify(b)).resolves.toBe(true);
    await expect(verifier.verify(await bcrypt.hash('other', 4))).resolves.toBe(false);
  });

  it('caches verdicts so a client sending the same hash pays bcrypt once', async () => {
    const hash = await bcrypt.hash('s3cret-token', 4);
    compare.mockClear();
    await verifier.verify(hash);
    await verifier.verify(hash);
    expect(compare).toHaveBeenCalledTimes(1);
  });

  it('refuses hashes with an absurd cost without computing them', async () => {
    compare.mockClear();
    const expensive = '$2b$31$' + 'a'.repeat(53);
    await expect(verifier.verify(expensive)).resolves.toBe(false);
    expect(compare).not.toHaveBeenCalled();
  });
});
