import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CalendarsController } from './calendars.controller';
import { CalendarStore } from './calendar-store';
import { CalendarSettings } from './calendars.config';
import { CalendarsService } from './calendars.service';
import { FileCalendarStore } from './file-calendar-store';
import { S3CalendarStore } from './s3-calendar-store';

/** Calendars set over the API live beside the jobs: files, or the jobs' S3 bucket. */
export function createCalendarStore(settings: CalendarSettings): CalendarStore {
  const store = settings.store;
  return store.type === 's3'
    ? new S3CalendarStore(store.s3, settings.org)
    : new FileCalendarStore(store.path, settings.org);
}

/** Blackout calendars: of the configuration (read-only) and set over the API, which it serves. */
@Module({
  imports: [AuditModule],
  controllers: [CalendarsController],
  providers: [
    { provide: CalendarStore, useFactory: createCalendarStore, inject: [CalendarSettings] },
    CalendarsService,
  ],
  exports: [CalendarsService],
})
export class CalendarsModule {}
