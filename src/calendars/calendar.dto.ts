import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsOptional,
  IsString,
  MaxLength,
  Validate,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { IsTimeZone } from '../common/validators/is-cron-expression.validator';

const ENTRY = /^(\d{4}-\d{2}-\d{2})(?:\.\.(\d{4}-\d{2}-\d{2}))?$/;
const MAX_ENTRIES = 1000;
const MAX_RANGE_DAYS = 366;

/** A real calendar day, `YYYY-MM-DD`. */
function isDay(text: string): boolean {
  const t = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === text;
}

/** Why a `dates` entry is not a day or a range of days (null when it is one). */
export function entryProblem(entry: unknown): string | null {
  const m = typeof entry === 'string' ? ENTRY.exec(entry) : null;
  if (!m) return `"${String(entry).slice(0, 40)}" is not YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD`;
  const [, from, to] = m;
  if (!isDay(from) || (to && !isDay(to))) return `"${entry}" is not a real date`;
  if (to) {
    const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
    if (days < 0) return `"${entry}" ends before it starts`;
    if (days >= MAX_RANGE_DAYS) return `"${entry}" spans more than ${MAX_RANGE_DAYS} days`;
  }
  return null;
}

@ValidatorConstraint({ name: 'calendarDates' })
class CalendarDates implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return Array.isArray(value) && value.every((e) => entryProblem(e) === null);
  }
  defaultMessage(args?: ValidationArguments): string {
    const list: unknown[] = Array.isArray(args?.value) ? args.value : [];
    const i = list.findIndex((e) => entryProblem(e) !== null);
    return `${args?.property ?? 'dates'}[${i}]: ${entryProblem(list[i]) ?? 'must be an array'}`;
  }
}

/** A blackout calendar: days (and ranges of days) in a time zone on which jobs listing it do not run. */
@ApiSchema({
  name: 'Calendar',
  description: 'Days on which the jobs that list this calendar do not run',
})
export class CalendarDto {
  @ApiProperty({
    description: 'IANA time zone the days are counted in',
    example: 'Europe/Berlin',
  })
  @IsString()
  @IsTimeZone()
  timezone: string;

  @ApiProperty({
    description: `Days (\`YYYY-MM-DD\`) and inclusive ranges (\`YYYY-MM-DD..YYYY-MM-DD\`), at most ${MAX_ENTRIES}`,
    type: [String],
    example: ['2026-12-24..2026-12-26', '2026-12-31', '2027-01-01'],
  })
  @IsArray()
  @ArrayMaxSize(MAX_ENTRIES)
  @Validate(CalendarDates)
  dates: string[];

  @ApiPropertyOptional({
    description: 'Free text',
    example: 'Public holidays and the year-end change freeze',
    maxLength: 1000,
  })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;
}

/** A calendar as stored and served, with where it comes from. */
@ApiSchema({ name: 'StoredCalendar', description: 'A blackout calendar of an account' })
export class StoredCalendarDto extends CalendarDto {
  @ApiProperty({ description: 'Its name', example: 'holidays' })
  name: string;

  @ApiProperty({
    description: '`config` (read-only, from the configuration) or `api` (set with PUT)',
    enum: ['config', 'api'],
    example: 'api',
  })
  source: 'config' | 'api';
}
