import { pageOf } from '../repository/listing';
import { JobListing } from './job-listing';

const acct = (group: string, id: string) => ({ account: 'acct', group, id });

describe('JobListing', () => {
  it('lists an account in code-point order, as the repositories do', () => {
    const listing = new JobListing();
    const entries = ['b/2', 'a/1', 'a-x/9', 'a/10', 'É/1', '😀/1', '\uffff/1', 'A/3'];
    listing.replace('acct', [...entries]);

    expect(listing.listAccount('acct')).toEqual(pageOf([...entries]));
    expect(listing.listAccount('other')).toEqual([]);
  });

  it('pages like the repositories: after start_after (listed or not), at most limit', () => {
    const listing = new JobListing();
    const entries = ['a/1', 'a/2', 'b/1', 'b/2', 'c/1'];
    listing.replace('acct', [...entries]);

    for (const startAfter of [undefined, 'a/2', 'a/3', 'b', '0', 'z']) {
      for (const limit of [undefined, 1, 2, 10]) {
        expect(listing.listAccount('acct', { startAfter, limit })).toEqual(
          pageOf([...entries], { startAfter, limit }),
        );
      }
    }
  });

  it("lists one group's ids, and only that group's (not a group whose name it begins)", () => {
    const listing = new JobListing();
    listing.replace('acct', ['g/1', 'g/2', 'g-2/1', 'g2/5', 'gg/1', 'f/1']);

    expect(listing.listGroup('acct', 'g')).toEqual(['1', '2']);
    expect(listing.listGroup('acct', 'g', { startAfter: '1' })).toEqual(['2']);
    expect(listing.listGroup('acct', 'g', { limit: 1 })).toEqual(['1']);
    expect(listing.listGroup('acct', 'g2')).toEqual(['5']);
    expect(listing.listGroup('acct', 'none')).toEqual([]);
  });

  it('adds and removes keys in place, once each', () => {
    const listing = new JobListing();
    listing.replace('acct', ['g/b']);

    listing.add(acct('g', 'c'));
    listing.add(acct('g', 'a'));
    listing.add(acct('g', 'a'));
    listing.add({ account: 'new', group: 'h', id: 'x' });
    expect(listing.listAccount('acct')).toEqual(['g/a', 'g/b', 'g/c']);
    expect(listing.listAccount('new')).toEqual(['h/x']);

    listing.remove(acct('g', 'b'));
    listing.remove(acct('g', 'missing'));
    listing.remove({ account: 'none', group: 'g', id: 'a' });
    expect(listing.listAccount('acct')).toEqual(['g/a', 'g/c']);
  });

  it("serializes an account's whole listing once, and again after each change", () => {
    const listing = new JobListing();
    listing.replace('acct', ['g/b']);
    expect(listing.accountJson('acct').toString()).toBe('["g/b"]');
    expect(listing.accountJson('none').toString()).toBe('[]');

    listing.add(acct('g', 'a'));
    expect(listing.accountJson('acct').toString()).toBe('["g/a","g/b"]');
    listing.add(acct('g', 'a'));
    listing.remove(acct('g', 'b'));
    expect(listing.accountJson('acct').toString()).toBe('["g/a"]');
    listing.replace('acct', ['h/x', 'g/z']);
    expect(listing.accountJson('acct').toString()).toBe(JSON.stringify(['g/z', 'h/x']));
  });

  it('keeps the encoded listing until a change, in UTF-8', () => {
    const listing = new JobListing();
    listing.replace('acct', ['g/é', 'g/a']);
    const first = listing.accountJson('acct');
    expect(listing.accountJson('acct')).toBe(first);
    expect(first.equals(Buffer.from('["g/a","g/é"]', 'utf8'))).toBe(true);
    listing.add(acct('g', 'a'));
    expect(listing.accountJson('acct')).toBe(first);
    listing.add(acct('g', 'b'));
    expect(listing.accountJson('acct')).not.toBe(first);
  });

  it('answers copies: a caller changing an answer changes nothing listed', () => {
    const listing = new JobListing();
    listing.replace('acct', ['g/a']);
    listing.listAccount('acct').push('g/z');
    expect(listing.listAccount('acct')).toEqual(['g/a']);
  });

  it('a burst of adds, removes and re-adds lists as one sorted, duplicate-free listing', () => {
    const listing = new JobListing();
    listing.replace('acct', ['b/1', 'd/1']);
    const expected = new Set(['b/1', 'd/1']);
    // A fixed pseudo-random sequence of adds (some repeated) and removes, read now and then.
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let n = 0; n < 2000; n++) {
      const entry = `${String.fromCharCode(97 + (next() % 6))}/${next() % 50}`;
      const [group, id] = entry.split('/');
      if (next() % 4 === 0) {
        listing.remove(acct(group, id));
        expected.delete(entry);
      } else {
        listing.add(acct(group, id));
        expected.add(entry);
      }
      if (n % 97 === 0) {
        expect(listing.listAccount('acct')).toEqual(pageOf([...expected]));
      }
    }
    expect(listing.listAccount('acct')).toEqual(pageOf([...expected]));
    expect(JSON.parse(listing.accountJson('acct').toString())).toEqual(pageOf([...expected]));
    expect(listing.listGroup('acct', 'c')).toEqual(
      pageOf([...expected].filter((e) => e.startsWith('c/'))).map((e) => e.slice(2)),
    );
  });

  it('an add after the account JSON was made changes the next JSON', () => {
    const listing = new JobListing();
    listing.replace('acct', ['a/1']);
    expect(JSON.parse(listing.accountJson('acct').toString())).toEqual(['a/1']);
    listing.add(acct('a', '0'));
    expect(JSON.parse(listing.accountJson('acct').toString())).toEqual(['a/0', 'a/1']);
    listing.add(acct('new', '1'));
    expect(listing.listAccount('acct')).toEqual(['a/0', 'a/1', 'new/1']);
    expect(listing.listAccount('other')).toEqual([]);
    listing.add({ account: 'other', group: 'g', id: '1' });
    expect(listing.listGroup('other', 'g')).toEqual(['1']);
  });
});
