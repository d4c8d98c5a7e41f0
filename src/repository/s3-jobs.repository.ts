import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { sdkClientConfig } from '../common/aws-client-config';
import { ConflictError, JobNotFoundError } from '../common/errors';
import { isSafeSegment, requireSafeSegment } from '../common/safe-segment';
import { DEFAULT_S3_TIMEOUT_MS, S3Settings } from './repository.config';
import { JobDocument, parseJob, serializeJob, StoredJob } from '../domain/job-document';
import { DeleteGroupResult, JobsRepository, ListPage } from './jobs.repository';
import { compareCodePoints } from './listing';
import { isNotFound, s3Failure } from './s3-errors';
import { JobKey } from '../domain/job-key';

/** DeleteObjects takes at most this many keys per call. */
const DELETE_BATCH = 1000;
/** Names this process's refusal watchers apart (a client may be shared). */
let clients = 0;
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
  private readonly timeoutMs: number;
  private lastCheck?: { at: number; error?: Error };
  /** S3's last refusal of an attempt (SlowDown, 5xx), to name the cause when the deadline cuts a retry. */
  private lastRefusal?: { at: number; error: unknown };

  constructor(
    options: S3Settings,
    org: string,
    private readonly s3: S3Client = createS3Client(options),
  ) {
    super();
    this.bucket = options.bucket;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_S3_TIMEOUT_MS;
    this.watchRefusals();
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
      const res = await this.s3.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: objectKey }),
        this.deadline(),
      );
      const text = (await res.Body?.transformToString('utf-8')) ?? '';
      return { document: parseJob(text, key), version: res.ETag ?? '' };
    } catch (err) {
      if (isNotFound(err)) throw new JobNotFoundError(key.account, key.group, key.id);
      throw s3Failure(this.cause(err), this.bucket, `read ${key.group}/${key.id}`);
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
      await this.s3.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: objectKey }),
        this.deadline(),
      );
      await this.s3.send(
        new DeleteObjectCommand({ Bucket: this.bucket, Key: objectKey }),
        this.deadline(),
      );
    } catch (err) {
      if (isNotFound(err)) throw new JobNotFoundError(key.account, key.group, key.id);
      throw s3Failure(this.cause(err), this.bucket, `delete ${key.group}/${key.id}`);
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
          this.deadline(),
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
        const reason = s3Failure(this.cause(err), this.bucket, 'DeleteObjects').message;
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
          this.deadline(),
        );
        const res = await this.s3.send(
          new GetObjectCommand({ Bucket: this.bucket, Key: probe }),
          this.deadline(),
        );
        await res.Body?.transformToString();
      } catch (err) {
        error = s3Failure(this.cause(err), this.bucket, 'readiness probe');
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
    const body = serializeJob(doc);
    let failure: Error;
    try {
      const res = await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: 'application/json',
          ...condition,
        }),
        this.deadline(),
      );
      return { document: doc, version: res.ETag ?? '' };
    } catch (err) {
      // If-Match on a key that is gone: the job was deleted meanwhile.
      if (isNotFound(err)) throw new JobNotFoundError(doc.account, doc.group, doc.id);
      failure = s3Failure(this.cause(err), this.bucket, `${action} ${doc.group}/${doc.id}`);
    }
    if (failure instanceof ConflictError) {
      const ours = await this.landed(key, body);
      if (ours) return { document: doc, version: ours };
    }
    throw failure;
  }

  /**
   * The ETag of `key` if it holds exactly `body`, else null. A conditional PUT whose answer was
   * lost (S3 slow, the connection cut) is retried by the SDK, and the retry meets the object the
   * first attempt wrote: 412, although the write is ours. Reading it back tells the two apart, so
   * a create or update that did land answers success rather than a conflict. (`modified_at` is in
   * the body, so another writer's document never matches by chance.)
   */
  private async landed(key: string, body: string): Promise<string | null> {
    try {
      const res = await this.s3.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key }),
        this.deadline(),
      );
      const stored = (await res.Body?.transformToString('utf-8')) ?? '';
      return stored === body ? (res.ETag ?? '') : null;
    } catch {
      return null;
    }
  }

  /**
   * Notes each attempt S3 refused. The SDK waits between retries as S3's Retry-After asks, so a
   * throttled write often ends at our deadline (AbortError): the refusal before it is the cause.
   */
  private watchRefusals(): void {
    this.s3.middlewareStack?.add(
      (next) => async (args) => {
        try {
          return await next(args);
        } catch (err) {
          const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata
            ?.httpStatusCode;
          if (status && (status >= 500 || status === 429))
            this.lastRefusal = { at: Date.now(), error: err };
          throw err;
        }
      },
      { step: 'deserialize', name: `minionS3Refusals${++clients}`, priority: 'high' },
    );
  }

  /** What failed: the error, or for our deadline, S3's refusal just before it. */
  private cause(err: unknown): unknown {
    const refusal = this.lastRefusal;
    if (
      (err as Error)?.name === 'AbortError' &&
      refusal &&
      Date.now() - refusal.at <= this.timeoutMs
    )
      return refusal.error;
    return err;
  }

  /** Every call within `timeout`, its SDK retries included: a hanging S3 fails, never holds. */
  private deadline(): { abortSignal: AbortSignal } {
    return { abortSignal: AbortSignal.timeout(this.timeoutMs) };
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
    // Pages by hand rather than with the SDK's paginator, which would share one deadline
    // (abort signal) between every page of a large listing: here each page has its own.
    let token: string | undefined;
    try {
      do {
        const page = await this.s3.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            StartAfter: startAfter,
            ContinuationToken: token,
          }),
          this.deadline(),
        );
        for (const object of page.Contents ?? []) {
          if (object.Key && !visit(object.Key)) return;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw s3Failure(this.cause(err), this.bucket, action);
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
  const timeoutMs = options.timeoutMs ?? DEFAULT_S3_TIMEOUT_MS;
  return new S3Client({
    ...sdkClientConfig(options.aws),
    forcePathStyle: options.forcePathStyle,
    // S3-compatible stores often lack the SDK's newer default checksums (aws-chunked uploads).
    ...(options.aws.endpoint
      ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
      : {}),
    // One attempt never outlives the call's deadline; without throwOnRequestTimeout the handler
    // only warns when requestTimeout passes, and a hanging S3 would hold the call forever.
    requestHandler: new NodeHttpHandler({
      connectionTimeout: Math.min(3000, timeoutMs),
      requestTimeout: timeoutMs,
      throwOnRequestTimeout: true,
    }),
  });
}
