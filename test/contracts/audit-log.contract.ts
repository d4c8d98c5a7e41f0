import { AuditAction, NewAuditEntry } from '../../src/audit/audit-entry';
import { AuditLog } from '../../src/audit/audit-log';

export interface AuditLogFixture {
  log: AuditLog;
  cleanup: () => Promise<void>;
}

const T0 = Date.parse('2026-12-04T10:00:00Z');

function entry(
  n: number,
  action: AuditAction,
  group = 'g',
  id: string | null = 'j1',
): NewAuditEntry {
  return {
    at: new Date(T0 + n * 1000).toISOString(),
    action,
    account: 'acct',
    group,
    id,
    key: n % 2 ? 'team-a' : 'token',
    client: '10.0.0.1',
    changes: { enabled: { before: true, after: n % 2 === 0 } },
  };
}

/** What every AuditLog must do (SQLite, CloudWatch Logs). */
export function describeAuditLogContract(
  name: string,
  setup: () => Promise<AuditLogFixture>,
): void {
  describe(`${name}: AuditLog contract`, () => {
    let f: AuditLogFixture;
    beforeEach(async () => {
      f = await setup();
    });
    afterEach(() => f.cleanup());

    it('keeps each entry whole; a job history is its own entries, newest first, limited', async () => {
      await f.log.record(entry(1, 'create'));
      await f.log.record(entry(2, 'update', 'g', 'other'));
      await f.log.record(entry(3, 'update'));
      await f.log.record(entry(4, 'pause'));
      await f.log.record({ ...entry(5, 'update'), account: 'elsewhere' });
      const history = await f.log.history({ account: 'acct', group: 'g', id: 'j1' }, 2);
      expect(history.map((e) => e.action)).toEqual(['pause', 'update']);
      const [newest] = history;
      const { entry_id, ...rest } = newest;
      expect(entry_id).toEqual(expect.any(String));
      expect(rest).toEqual(entry(4, 'pause'));
      expect(await f.log.history({ account: 'acct', group: 'g', id: 'none' }, 10)).toEqual([]);
    });

    it("lists an account's entries oldest first from `since`, page by page", async () => {
      for (let n = 1; n <= 5; n++) await f.log.record(entry(n, 'update', 'g', `j${n}`));
      await f.log.record({ ...entry(6, 'delete-group', 'h', null), account: 'elsewhere' });
      const since = new Date(T0 + 2000);
      const first = await f.log.list('acct', { since, limit: 2 });
      expect(first.entries.map((e) => e.id)).toEqual(['j2', 'j3']);
      expect(first.next).toBeDefined();
      const second = await f.log.list('acct', { since, limit: 2, startAfter: first.next });
      expect(second.entries.map((e) => e.id)).toEqual(['j4', 'j5']);
      const third = second.next
        ? await f.log.list('acct', { since, limit: 2, startAfter: second.next })
        : { entries: [] };
      expect(third.entries).toEqual([]);
      const all = await f.log.list('acct', { limit: 100 });
      expect(all.entries).toHaveLength(5);
      expect(all.next).toBeUndefined();
    });

    it('an account never audited lists nothing', async () => {
      expect(await f.log.list('nobody', { limit: 10 })).toEqual({ entries: [] });
    });
  });
}
