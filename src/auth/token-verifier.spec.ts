import * as bcrypt from '@node-rs/bcrypt';
import { authSettings, AuthOptions } from './auth.config';
import { MinionSettings } from '../config/settings';
import { TokenVerifier } from './token-verifier';

// Native exports are read-only: wrap verify so the tests can count and hold checks.
jest.mock('@node-rs/bcrypt', () => {
  const actual = jest.requireActual('@node-rs/bcrypt');
  return { ...actual, verify: jest.fn(actual.verify) };
});
const verify = bcrypt.verify as unknown as jest.Mock;

const TOKEN = 's3cret-token';

function verifier(auth: AuthOptions = {}): TokenVerifier {
  return new TokenVerifier({ auth: authSettings(TOKEN, auth) } as MinionSettings);
}

describe('TokenVerifier', () => {
  beforeEach(() => verify.mockClear());

  it('accepts the plain token and refuses anything else', async () => {
    const v = verifier();
    await expect(v.verify(TOKEN)).resolves.toBe('valid');
    await expect(v.verify('s3cret-toke')).resolves.toBe('invalid');
    await expect(v.verify(`${TOKEN} `)).resolves.toBe('invalid');
    await expect(v.verify('')).resolves.toBe('invalid');
  });

  it('accepts a bcrypt hash of the token ($2a$, $2b$, $2y$) and refuses a hash of another', async () => {
    const v = verifier();
    const hash = await bcrypt.hash(TOKEN, 4);
    for (const prefix of ['$2a$', '$2b$', '$2y$']) {
      await expect(v.verify(hash.replace(/^\$2.\$/, prefix))).resolves.toBe('valid');
    }
    await expect(v.verify(await bcrypt.hash('other', 4))).resolves.toBe('invalid');
  });

  it('caches verdicts so a client sending the same hash pays bcrypt once', async () => {
    const v = verifier();
    const hash = await bcrypt.hash(TOKEN, 4);
    await v.verify(hash);
    await v.verify(hash);
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('refuses hashes costlier than auth.maxBcryptCost (default 12) without computing them', async () => {
    const hash13 = `$2b$13$${'a'.repeat(53)}`;
    await expect(verifier().verify(hash13)).resolves.toBe('invalid');
    await expect(verifier().verify(`$2b$31$${'a'.repeat(53)}`)).resolves.toBe('invalid');
    expect(verify).not.toHaveBeenCalled();
    const cheap = await bcrypt.hash(TOKEN, 5);
    await expect(verifier({ maxBcryptCost: 4 }).verify(cheap)).resolves.toBe('invalid');
    expect(verify).not.toHaveBeenCalled();
  });

  it('runs at most auth.bcryptConcurrency checks at once: beyond it, busy (no queue)', async () => {
    const v = verifier({ bcryptConcurrency: 2 });
    const hashes = await Promise.all([1, 2, 3].map(() => bcrypt.hash(TOKEN, 4)));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    verify.mockImplementation(async (...args: [string, string]) => {
      await gate;
      return jest.requireActual('@node-rs/bcrypt').verify(...args);
    });
    try {
      const first = v.verify(hashes[0]);
      const second = v.verify(hashes[1]);
      // The same hash as a check in flight shares it rather than taking a slot.
      const again = v.verify(hashes[0]);
      await expect(v.verify(hashes[2])).resolves.toBe('busy');
      release();
      await expect(Promise.all([first, second, again])).resolves.toEqual([
        'valid',
        'valid',
        'valid',
      ]);
      expect(verify).toHaveBeenCalledTimes(2);
      await expect(v.verify(hashes[2])).resolves.toBe('valid');
    } finally {
      verify.mockImplementation(jest.requireActual('@node-rs/bcrypt').verify);
    }
  });
});
