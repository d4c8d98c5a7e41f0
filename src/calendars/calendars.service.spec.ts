import { Logger } from '@nestjs/common';
import { newTestService } from '../../test/support/new-test-service';
import { Actor } from '../audit/audit-entry';
import { Auditor } from '../audit/auditor.service';
import { Clock } from '../common/clock';
import { CalendarNotFoundError, ConflictError, InvalidFieldError } from '../common/errors';
import { Calendar } from '../domain/calendar';
import { CalendarStore } from './calendar-store';
import { CalendarSettings } from './calendars.config';
import { CalendarsService } from './calendars.service';

const NOW = new Date('2026-01-05T10:00:00Z');
const actor: Actor = { key: 'team', client: '10.0.0.1' };

const settings: CalendarSettings = {
  org: 'o',
  store: { type: 'file', path: '/data' },
  configured: {
    acct: { holidays: { timezone: 'Europe/Berlin', dates: ['2026-12-24..2026-12-26'] } },
  },
};

/** Blacks out NOW's day (2026-01-05 in UTC). */
const today: Calendar = { timezone: 'UTC', dates: ['2026-01-05'] };
const tomorrow: Calendar = { timezone: 'UTC', dates: ['2026-01-06'] };

function setup() {
  const { sut, mocks } = newTestService(CalendarsService, {
    settings,
    store: CalendarStore,
    auditor: Auditor,
    clock: Clock,
  });
  mocks.clock.set(NOW);
  mocks.store.put.mockResolvedValue();
  mocks.auditor.calendar.mockResolvedValue();
  return { calendars: sut, ...mocks };
}

describe('CalendarsService', () => {
  let warn: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  describe('put', () => {
    it('refuses a configured calendar with ConflictError, writing and auditing nothing', async () => {
      const m = setup();

      await expect(m.calendars.put('acct', 'holidays', today, actor)).rejects.toBeInstanceOf(
        ConflictError,
      );
      await expect(m.calendars.put('acct', 'holidays', today, actor)).rejects.toThrow(
        'calendars.acct.holidays',
      );
      expect(m.store.get).not.toHaveBeenCalled();
      expect(m.store.put).not.toHaveBeenCalled();
      expect(m.auditor.calendar).not.toHaveBeenCalled();
    });

    it('a configured name of another account is not read-only here', async () => {
      const m = setup();
      m.store.get.mockResolvedValue(null);

      await m.calendars.put('other', 'holidays', today, actor);

      expect(m.store.put).toHaveBeenCalledWith('other', 'holidays', today);
    });

    it('stores the calendar and audits what it was before and after', async () => {
      const m = setup();
      const before: Calendar = { timezone: 'UTC', dates: ['2026-01-01'], description: 'old' };
      m.store.get.mockResolvedValue(before);
      const after: Calendar = { timezone: 'UTC', dates: ['2026-01-05'], description: '' };

      await m.calendars.put('acct', 'closures', after, actor);

      const stored = { timezone: 'UTC', dates: ['2026-01-05'] }; // an empty description is not kept
      expect(m.store.put).toHaveBeenCalledWith('acct', 'closures', stored);
      expect(m.auditor.calendar).toHaveBeenCalledWith(actor, 'acct', 'closures', before, stored);
      expect(m.store.put.mock.invocationCallOrder[0]).toBeLessThan(
        m.auditor.calendar.mock.invocationCallOrder[0],
      );
    });

    it('audits a new calendar with nothing before', async () => {
      const m = setup();
      m.store.get.mockResolvedValue(null);

      await m.calendars.put('acct', 'closures', today, actor);

      expect(m.auditor.calendar).toHaveBeenCalledWith(actor, 'acct', 'closures', null, today);
    });

    it('is not audited when the store refuses the write', async () => {
      const m = setup();
      m.store.get.mockResolvedValue(null);
      m.store.put.mockRejectedValue(new Error('disk full'));

      await expect(m.calendars.put('acct', 'closures', today, actor)).rejects.toThrow('disk full');
      expect(m.auditor.calendar).not.toHaveBeenCalled();
    });

    it('is what the runs see at once on this replica (no store read)', async () => {
      const m = setup();
      m.store.get.mockResolvedValue(null);
      await m.calendars.put('acct', 'closures', today, actor);
      m.store.get.mockClear();
      m.store.get.mockResolvedValue(tomorrow); // not read: the cache holds what was put

      await expect(m.calendars.blackoutAt('acct', ['closures'], NOW)).resolves.toBe('closures');
      expect(m.store.get).not.toHaveBeenCalled();
    });
  });

  describe('blackoutAt', () => {
    it('answers the first of the names that blacks the instant out, or null', async () => {
      const m = setup();
      m.store.get.mockImplementation(async (_account, name) =>
        name === 'today' ? today : name === 'tomorrow' ? tomorrow : null,
      );

      await expect(
        m.calendars.blackoutAt('acct', ['missing', 'tomorrow', 'today'], NOW),
      ).resolves.toBe('today');
      await expect(m.calendars.blackoutAt('acct', ['tomorrow', 'missing'], NOW)).resolves.toBe(
        null,
      );
    });

    it('reads configured calendars from the configuration, never the store', async () => {
      const m = setup();

      await expect(
        m.calendars.blackoutAt('acct', ['holidays'], new Date('2026-12-24T23:30:00Z')),
      ).resolves.toBe('holidays'); // 00:30 on the 25th in Berlin
      await expect(
        m.calendars.blackoutAt('acct', ['holidays'], new Date('2026-12-23T22:59:00Z')),
      ).resolves.toBeNull(); // 23:59 on the 23rd in Berlin
      expect(m.store.get).not.toHaveBeenCalled();
    });

    it('reuses a read for 30 s, then reads again', async () => {
      const m = setup();
      m.store.get.mockResolvedValue(today);

      await m.calendars.blackoutAt('acct', ['closures'], NOW);
      m.clock.advance(29_999);
      m.store.get.mockResolvedValue(tomorrow); // changed on another replica
      await expect(m.calendars.blackoutAt('acct', ['closures'], NOW)).resolves.toBe('closures');
      expect(m.store.get).toHaveBeenCalledTimes(1);

      m.clock.advance(1);
      await expect(m.calendars.blackoutAt('acct', ['closures'], NOW)).resolves.toBeNull();
      expect(m.store.get).toHaveBeenCalledTimes(2);
    });

    it('caches that a calendar does not exist as well', async () => {
      const m = setup();
      m.store.get.mockResolvedValue(null);

      await m.calendars.blackoutAt('acct', ['closures'], NOW);
      await m.calendars.blackoutAt('acct', ['closures'], NOW);

      expect(m.store.get).toHaveBeenCalledTimes(1);
    });

    it('falls back to the last good read when the store fails', async () => {
      const m = setup();
      m.store.get.mockResolvedValue(today);
      await m.calendars.blackoutAt('acct', ['closures'], NOW);

      m.clock.advance(60_000);
      m.store.get.mockRejectedValue(new Error('S3 unreachable'));

      await expect(m.calendars.blackoutAt('acct', ['closures'], NOW)).resolves.toBe('closures');
      expect(m.store.get).toHaveBeenCalledTimes(2);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('S3 unreachable'));
    });

    it('throws when the store fails and there is no earlier read', async () => {
      const m = setup();
      m.store.get.mockRejectedValue(new Error('S3 unreachable'));

      await expect(m.calendars.blackoutAt('acct', ['closures'], NOW)).rejects.toThrow(
        'S3 unreachable',
      );
    });
  });

  describe('assertExist', () => {
    it('accepts configured and stored calendars', async () => {
      const m = setup();
      m.store.get.mockResolvedValue(today);

      await expect(m.calendars.assertExist('acct', ['holidays', 'closures'])).resolves.toBe(
        undefined,
      );
      expect(m.store.get).toHaveBeenCalledWith('acct', 'closures');
    });

    it('names the first missing entry: job.blackout_calendars[i]', async () => {
      const m = setup();
      m.store.get.mockImplementation(async (_account, name) =>
        name === 'closures' ? today : null,
      );

      const error = await m.calendars
        .assertExist('acct', ['holidays', 'closures', 'nope', 'nada'])
        .catch((e) => e);

      expect(error).toBeInstanceOf(InvalidFieldError);
      expect(error.field).toBe('job.blackout_calendars[2]');
      expect(error.message).toContain('no calendar "nope" in account acct');
    });

    it('does not take a configured calendar of another account', async () => {
      const m = setup();
      m.store.get.mockResolvedValue(null);

      await expect(m.calendars.assertExist('other', ['holidays'])).rejects.toMatchObject({
        field: 'job.blackout_calendars[0]',
      });
    });
  });

  describe('get', () => {
    it('says where a calendar comes from', async () => {
      const m = setup();
      m.store.get.mockResolvedValue(today);

      await expect(m.calendars.get('acct', 'holidays')).resolves.toEqual({
        name: 'holidays',
        source: 'config',
        ...settings.configured.acct.holidays,
      });
      await expect(m.calendars.get('acct', 'closures')).resolves.toEqual({
        name: 'closures',
        source: 'api',
        ...today,
      });
    });

    it('throws CalendarNotFoundError for an unknown name', async () => {
      const m = setup();
      m.store.get.mockResolvedValue(null);

      await expect(m.calendars.get('acct', 'nope')).rejects.toBeInstanceOf(CalendarNotFoundError);
    });
  });
});
