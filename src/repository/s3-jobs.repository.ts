import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { sdkClientConfig } from '../common/aws-client-config';
import { JobNotFoundError } from '../common/errors';
import { isSafeSegment, requireSafeSegment } from '../common/safe-segment';
import { S3Settings } from './repository.config';
import { JobDocument, parseJob, serializeJob, StoredJob } from '../domain/job-document';
import { DeleteGroupResult, JobsRepository, ListPage } from './jobs.repository';
import { compareCodePoints } from './listing';
import { isNotFound, s3Failure } from './s3-errors';
import { JobKey } from '../domain/job-key';

/** DeleteObjects takes at most this many keys per call. */
const DELETE_BATCH = 1000;
/** A readiness answer is reused this long, so probes do not turn into a stream of S3 requests. */
const CHECK_CACHE_MS = 15_000;

/**
 * Jobs in S3, exactly as the original stored them: one pretty-printed JSON object per job at
 * `<prefix>/<org>/<account>/<group>/<id>`, content type application/json. Writes are
 * conditional (If-None-Match: * on create, If-Match: <ETag> on update), so of two concurrent
 * updates one gets ConflictError (409) instead of silently overwriting the other.
 */
export class S3JobsRepository extends JobsRepository {
  private readonly base: string;
  private readonly bucket: string;
  private lastCheck?: { at: number; error?: Error };

  constructor(
    options: S3Settings,
    org: string,
    private readonly s3: S3Client = createS3Client(options),
  ) {
    super();
    this.bucket = options.bucket;
    // Exactly the original's `prefix + "/" + org`: an empty prefix gives keys starting with "/".
    this.base = `${options.prefix}/${requireSafeSegment(org, 'org')}`;
  }

  get location(): string {
    return `s3://${this.bucket}/${this.base}/`;
  }

  async listAccount(account: string, page?: ListPage): Promise<string[]> {
    const prefix = `${this.base}/${requireSafeSegment(account, 'account')}/`;
    return this.list(prefix, page, (rest) => {
      const parts = rest.split('/');
      return parts.length === 2 && parts.every(isSafeSegment);
    });
  }

  async listGroup(account: string, group: string, page?: ListPage): Promise<string[]> {
    return this.list(this.groupPrefix(account, group), page, isSafeSegment);
  }

  async get(key: JobKey): Promise<StoredJob> {
    const objectKey = this.key(key);
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      const text = (await res.Body?.transformToString('utf-8')) ?? '';
      return { document: parseJob(text, key), version: res.ETag ?? '' };
    } catch (err) {
      if (isNotFound(err)) throw new JobNotFoundError(key.account, key.group, key.id);
      throw s3Failure(err, this.bucket, `read ${key.group}/${key.id}`);
    }
  }

  async create(doc: JobDocument): Promise<StoredJob> {
    return this.put(doc, { IfNoneMatch: '*' }, 'create');
  }

  async update(doc: JobDocument, expectedVersion: string): Promise<StoredJob> {
    return this.put(doc, { IfMatch: expectedVersion }, 'update');
  }

  async delete(key: JobKey): Promise<void> {
    const objectKey = this.key(key);
    try {
      // S3 deletes are idempotent; the API answers 404 for a job that is not there.
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: objectKey }));
    } catch (err) {
      if (isNotFound(err)) throw new JobNotFoundError(key.account, key.group, key.id);
      throw s3Failure(err, this.bucket, `delete ${key.group}/${key.id}`);
    }
  }

  /** Any number of jobs, in DeleteObjects batches of 1,000; keys S3 refused are reported. */
  async deleteGroup(account: string, group: string): Promise<DeleteGroupResult> {
    const prefix = this.groupPrefix(account, group);
    const keys = await this.keysUnder(prefix, `delete group ${group}`);
    const result: DeleteGroupResult = { deleted: [], failed: [] };
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      try {
        const res = await this.s3.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        );
        const errors = res.Errors ?? [];
        const refused = new Set(errors.map((e) => e.Key));
        for (const key of batch)
          if (!refused.has(key)) result.deleted.push(key.slice(prefix.length));
        for (const e of errors) {
          result.failed.push({
            id: (e.Key ?? '').slice(prefix.length),
            reason: `${e.Code}: ${e.Message}`,
          });
        }
      } catch (err) {
        const reason = s3Failure(err, this.bucket, 'DeleteObjects').message;
        for (const key of batch) result.failed.push({ id: key.slice(prefix.length), reason });
      }
    }
    return result;
  }

  /** Writes and reads back a probe object (cached for a few seconds). */
  async check(): Promise<void> {
    const now = Date.now();
    if (!this.lastCheck || now - this.lastCheck.at > CHECK_CACHE_MS) {
      const probe = `${this.base}/.minion/readiness-probe`;
      let error: Error | undefined;
      try {
        await this.s3.send(
          new PutObjectCommand({ Bucket: this.bucket, Key: probe, Body: String(now) }),
        );
        const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: probe }));
        await res.Body?.transformToString();
      } catch (err) {
        error = s3Failure(err, this.bucket, 'readiness probe');
      }
      this.lastCheck = { at: now, error };
    }
    if (this.lastCheck.error) throw this.lastCheck.error;
  }

  private async put(
    doc: JobDocument,
    condition: { IfNoneMatch?: string; IfMatch?: string },
    action: string,
  ): Promise<StoredJob> {
    const key = this.key(doc);
    try {
      const res = await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: serializeJob(doc),
          ContentType: 'application/json',
          ...condition,
        }),
      );
      return { document: doc, version: res.ETag ?? '' };
    } catch (err) {
      // If-Match on a key that is gone: the job was deleted meanwhile.
      if (isNotFound(err)) throw new JobNotFoundError(doc.account, doc.group, doc.id);
      throw s3Failure(err, this.bucket, `${action} ${doc.group}/${doc.id}`);
    }
  }

  /** Names under `prefix` that are job keys (`isKey`), sorted, one page of them; others are reported. */
  private async list(
    prefix: string,
    page: ListPage = {},
    isKey: (rest: string) => boolean,
  ): Promise<string[]> {
    const names: string[] = [];
    const startAfter = page.startAfter === undefined ? undefined : prefix + page.startAfter;
    await this.eachKey(prefix, 'list jobs', startAfter, (key) => {
      const rest = key.slice(prefix.length);
      if (!isKey(rest)) {
        this.reportUnreadableKey(key, 'not <account>/<group>/<id> with valid names');
        return true;
      }
      names.push(rest);
      return page.limit === undefined || names.length < page.limit;
    });
    // S3 lists in UTF-8 byte order already; sorting again costs little and makes it certain.
    return names.sort(compareCodePoints);
  }

  private async keysUnder(prefix: string, action: string): Promise<string[]> {
    const keys: string[] = [];
    await this.eachKey(prefix, action, undefined, (key) => {
      keys.push(key);
      return true;
    });
    return keys;
  }

  /** Calls `visit` with every key under `prefix` in order until it answers false. */
  private async eachKey(
    prefix: string,
    action: string,
    startAfter: string | undefined,
    visit: (key: string) => boolean,
  ): Promise<void> {
    try {
      for await (const page of paginateListObjectsV2(
        { client: this.s3 },
        { Bucket: this.bucket, Prefix: prefix, StartAfter: startAfter },
      )) {
        for (const object of page.Contents ?? []) {
          if (object.Key && !visit(object.Key)) return;
        }
      }
    } catch (err) {
      throw s3Failure(err, this.bucket, action);
    }
  }

  private groupPrefix(account: string, group: string): string {
    return `${this.base}/${requireSafeSegment(account, 'account')}/${requireSafeSegment(group, 'group')}/`;
  }

  private key(key: JobKey): string {
    return `${this.groupPrefix(key.account, key.group)}${requireSafeSegment(key.id, 'id')}`;
  }
}

/** One S3 client for the repository; short timeouts so an unreachable S3 fails fast. */
export function createS3Client(options: S3Settings): S3Client {
  return new S3Client({
    ...sdkClientConfig(options.aws),
    forcePathStyle: options.forcePathStyle,
    // S3-compatible stores often lack the SDK's newer default checksums (aws-chunked uploads).
    ...(options.aws.endpoint
      ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
      : {}),
    requestHandler: new NodeHttpHandler({ connectionTimeout: 3000, requestTimeout: 10_000 }),
  });
}
