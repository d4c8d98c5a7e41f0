import { Module } from '@nestjs/common';
import { MinionSettings } from '../config/settings';
import { CalendarStore } from './calendar-store';
import { CalendarsService } from './calendars.service';
import { FileCalendarStore } from './file-calendar-store';
import { S3CalendarStore } from './s3-calendar-store';

/** Calendars set over the API live beside the jobs: files, or the jobs' S3 bucket. */
export function createCalendarStore(settings: MinionSettings): CalendarStore {
  const repo = settings.repository;
  return repo.type === 's3'
    ? new S3CalendarStore(repo.s3, settings.org)
    : new FileCalendarStore(repo.path, settings.org);
}

@Module({
  providers: [
    { provide: CalendarStore, useFactory: createCalendarStore, inject: [MinionSettings] },
    CalendarsService,
  ],
  exports: [CalendarsService],
})
export class CalendarsModule {}
