import * as bcrypt from '@node-rs/bcrypt';
import { authSettings, AuthOptions } from './auth.config';
import { ApiKey } from './api-keys.config';
import { TokenVerifier } from './token-verifier';

// Native exports are read-only: wrap verify so the tests can count and hold checks.
jest.mock('@node-rs/bcrypt', () => {
  const actual = jest.requireActual('@node-rs/bcrypt');
  return { ...actual, verify: jest.fn(actual.verify) };
});
const verify = bcrypt.verify as unknown as jest.Mock;

const TOKEN = 's3cret-token';

function verifier(auth: AuthOptions = {}): TokenVerifier {
  return new TokenVerifier(authSettings(TOKEN, auth));
}

describe('TokenVerifier', () => {
  beforeEach(() => verify.mockClear());

  it('accepts the plain token and refuses anything else', async () => {
    const v = verifier();
    await expect(v.verify(TOKEN)).resolves.toMatchObject({ name: 'token' });
    await expect(v.verify('s3cret-toke')).resolves.toBe('invalid');
    await expect(v.verify(`${TOKEN} `)).resolves.toBe('invalid');
    await expect(v.verify('')).resolves.toBe('invalid');
  });

  it('accepts a bcrypt hash of the token ($2a$, $2b$, $2y$) and refuses a hash of another', async () => {
    const v = verifier();
    const hash = await bcrypt.hash(TOKEN, 4);
    for (const prefix of ['$2a$', '$2b$', '$2y$']) {
      await expect(v.verify(hash.replace(/^\$2.\$/, prefix))).resolves.toMatchObject({
        name: 'token',
      });
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
      const names = (await Promise.all([first, second, again])).map(
        (k) => (k as { name: string }).name,
      );
      expect(names).toEqual(['token', 'token', 'token']);
      expect(verify).toHaveBeenCalledTimes(2);
      await expect(v.verify(hashes[2])).resolves.toMatchObject({ name: 'token' });
    } finally {
      verify.mockImplementation(jest.requireActual('@node-rs/bcrypt').verify);
    }
  });

  describe('scoped keys (apiKeys)', () => {
    const keyed = async () => {
      const hashed = await bcrypt.hash('portal-read-secret-0123', 4);
      const settings = authSettings(TOKEN, {}, [
        { name: 'team-a', token: 'team-a-secret-0123456', accounts: ['a'], access: 'write' },
        { name: 'portal', token: hashed, accounts: ['*'], access: 'read' },
      ]);
      return new TokenVerifier(settings);
    };

    it('resolves each secret to its key; the original token keeps full access', async () => {
      const v = await keyed();
      expect(await v.verify(TOKEN)).toMatchObject({
        name: 'token',
        accounts: null,
        access: 'write',
      });
      const teamA = await v.verify('team-a-secret-0123456');
      expect(teamA).toMatchObject({ name: 'team-a', access: 'write' });
      expect([...((teamA as ApiKey).accounts ?? [])]).toEqual(['a']);
      expect(await v.verify('nobody-knows-this-one')).toBe('invalid');
    });

    it('a key held as a bcrypt hash in the config accepts its plain secret, and only that', async () => {
      const v = await keyed();
      expect(await v.verify('portal-read-secret-0123')).toMatchObject({
        name: 'portal',
        access: 'read',
      });
      expect(await v.verify('portal-read-secret-0124')).toBe('invalid');
    });

    it("a bcrypt hash sent by a client (the original's habit) matches a plain-text key", async () => {
      const v = await keyed();
      expect(await v.verify(await bcrypt.hash('team-a-secret-0123456', 4))).toMatchObject({
        name: 'team-a',
      });
    });
  });
});
