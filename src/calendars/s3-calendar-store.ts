import {
  GetObjectCommand,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { requireSafeSegment } from '../common/safe-segment';
import { S3Settings } from '../repository/repository.config';
import { createS3Client } from '../repository/s3-jobs.repository';
import { isNotFound, s3Failure } from '../repository/s3-errors';
import { Calendar } from '../domain/calendar';
import { CalendarStore } from './calendar-store';

/** Calendars in the jobs bucket, `<prefix>/<org>/.calendars/<account>/<name>.json` (never listed as jobs). */
export class S3CalendarStore extends CalendarStore {
  private readonly base: string;

  constructor(
    private readonly options: S3Settings,
    org: string,
    private readonly s3: S3Client = createS3Client(options),
  ) {
    super();
    this.base = `${options.prefix}/${requireSafeSegment(org, 'org')}/.calendars`;
  }

  async get(account: string, name: string): Promise<Calendar | null> {
    try {
      const res = await this.s3.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(account, name) }),
        this.deadline(),
      );
      return JSON.parse((await res.Body?.transformToString('utf-8')) ?? '{}') as Calendar;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw s3Failure(err, this.options.bucket, `read calendar ${account}/${name}`);
    }
  }

  async put(account: string, name: string, calendar: Calendar): Promise<void> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: this.key(account, name),
          Body: JSON.stringify(calendar, null, 2),
          ContentType: 'application/json',
        }),
        this.deadline(),
      );
    } catch (err) {
      throw s3Failure(err, this.options.bucket, `write calendar ${account}/${name}`);
    }
  }

  async list(account: string): Promise<string[]> {
    const prefix = `${this.base}/${requireSafeSegment(account, 'account')}/`;
    const names: string[] = [];
    try {
      for await (const page of paginateListObjectsV2(
        { client: this.s3 },
        { Bucket: this.options.bucket, Prefix: prefix },
        // One deadline for the whole listing: an account holds few calendars.
        this.deadline(),
      )) {
        for (const { Key } of page.Contents ?? []) {
          const name = Key?.slice(prefix.length);
          if (name?.endsWith('.json') && !name.includes('/')) names.push(name.slice(0, -5));
        }
      }
    } catch (err) {
      throw s3Failure(err, this.options.bucket, `list calendars of ${account}`);
    }
    return names;
  }

  /** Every call within `timeout`, as the jobs repository's. */
  private deadline(): { abortSignal: AbortSignal } {
    return { abortSignal: AbortSignal.timeout(this.options.timeoutMs) };
  }

  private key(account: string, name: string): string {
    return `${this.base}/${requireSafeSegment(account, 'account')}/${requireSafeSegment(name, 'calendar')}.json`;
  }
}
