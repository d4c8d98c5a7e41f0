import { ClaimLease, claimLeaseMs, LeaseClocks } from './claim-lease';

describe('claimLeaseMs: how long a claimed occurrence needs no fence check', () => {
  it("half the lock's time left", () => {
    expect(claimLeaseMs(2000, 30_000)).toBe(1000);
  });

  it('at most a quarter of lockDuration, and at most a second (a short window for a lock key lost without expiring)', () => {
    expect(claimLeaseMs(3000, 3000)).toBe(750);
    expect(claimLeaseMs(30_000, 30_000)).toBe(1000);
  });

  it('none when Redis gave no time left (no expiry, or no key)', () => {
    expect([-1, -2, 0].map((ttl) => claimLeaseMs(ttl, 5000))).toEqual([0, 0, 0]);
  });
});

describe('ClaimLease: read on two clocks from before the claim was sent', () => {
  const clocks = { monotonic: 1000, wall: 1_700_000_000_000 };
  const fake: LeaseClocks = { monotonic: () => clocks.monotonic, wall: () => clocks.wall };
  const sentAt = { monotonic: 1000, wall: 1_700_000_000_000 };

  beforeEach(() => {
    clocks.monotonic = sentAt.monotonic;
    clocks.wall = sentAt.wall;
  });

  it('holds inside its time on both clocks, and not from its end on', () => {
    const lease = new ClaimLease(sentAt, 500, fake);
    clocks.monotonic += 499;
    clocks.wall += 499;
    expect(lease.holds()).toBe(true);
    clocks.monotonic += 1;
    clocks.wall += 1;
    expect(lease.holds()).toBe(false);
  });

  it('a suspend the monotonic clock did not count, seen on the wall clock, ends it', () => {
    const lease = new ClaimLease(sentAt, 500, fake);
    clocks.monotonic += 10;
    clocks.wall += 60_000;
    expect(lease.holds()).toBe(false);
  });

  it('a wall clock stepped back does not stretch it', () => {
    const lease = new ClaimLease(sentAt, 500, fake);
    clocks.monotonic += 600;
    clocks.wall -= 5000;
    expect(lease.holds()).toBe(false);
  });

  it('a lease of no time never holds', () => {
    expect(new ClaimLease(sentAt, 0, fake).holds()).toBe(false);
  });
});
