import { Logger } from '@nestjs/common';
import {
  close,
  closeSync,
  fdatasync,
  fsync,
  fsyncSync,
  openSync,
  promises as fs,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  write,
  writeFileSync,
  mkdirSync,
  open,
} from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { mapWithConcurrency } from '../common/concurrency';

/** One change of a job file: its new text, or `null` for a delete. Paths relative to the base. */
export interface JournalEntry {
  file: string;
  text: string | null;
  /** The journal it went to (set by the commit). */
  seq?: number;
}

/** A journal holding this many entries is checkpointed (its files fsynced, then it is removed). */
const CHECKPOINT_ENTRIES = 20_000;
/** ... or once its oldest entry is this old. */
const CHECKPOINT_AFTER_MS = 30_000;
/** Files fsynced at once by a checkpoint: one, so it never holds more than one of libuv's four threads (reads, the log) and spreads its disk work. */
const CHECKPOINT_CONCURRENCY = 1;
const JOURNAL = /^\.journal-(\d+)$/;

/**
 * Group commit for the file repository. A write is durable once its entry is in the journal
 * (`<base>/.journal-<n>`, JSON lines) and the journal is fdatasynced: entries arriving while a
 * sync is in flight go to disk together in the next one, so 50 concurrent creates cost a few
 * syncs, not 50 (bench:api). The job file is then written and renamed into place without an
 * fsync of its own (readers see it at once; it survives a process crash, being in the page
 * cache). A checkpoint fsyncs those files in the background and removes the journal; after a
 * crash of the machine, `recover` replays what the journals still hold, before anything reads.
 */
export class WriteJournal {
  private readonly logger = new Logger(WriteJournal.name);
  private seq = 0;
  private fd = -1;
  private entries = 0;
  /** Files changed by the entries of each journal (fsynced by its checkpoint). */
  private readonly touched = new Map<number, Set<string>>();
  private queue: { line: string; entry: JournalEntry; done: (err?: Error) => void }[] = [];
  /** The batch being written and synced, if any (batches go one at a time). */
  private batch: Promise<void> | null = null;
  private checkpointing: Promise<void> | null = null;
  private timer?: NodeJS.Timeout;

  constructor(private readonly base: string) {}

  /**
   * Replays the journals a crash left (in order: the last entry of a file wins), makes the
   * result durable, removes them and opens a new one. Synchronous: runs before any read.
   * Returns how many files it wrote or removed.
   */
  recover(): number {
    const journals = readdirIfAny(this.base)
      .map((name) => JOURNAL.exec(name))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ name: m[0], seq: Number(m[1]) }))
      .sort((a, b) => a.seq - b.seq);
    const last = new Map<string, string | null>();
    for (const { name } of journals) {
      for (const line of readFileSync(join(this.base, name), 'utf8').split('\n')) {
        const entry = parseLine(line);
        // A torn last line was never acknowledged (its sync had not returned).
        if (entry) last.set(entry.file, entry.text);
      }
    }
    const dirs = new Set<string>();
    for (const [file, text] of last) {
      const path = join(this.base, file);
      if (text === null) rmSync(path, { force: true });
      else writeDurably(path, text);
      dirs.add(dirname(path));
    }
    for (const dir of dirs) syncDir(dir);
    for (const { name } of journals) unlinkSync(join(this.base, name));
    if (journals.length > 0) syncDir(this.base);
    this.seq = journals.length > 0 ? journals[journals.length - 1].seq + 1 : 1;
    if (last.size > 0) this.logger.log(`replayed ${last.size} journaled write(s)`);
    return last.size;
  }

  /** Resolves once `entry` is on disk; the caller then applies it (see `applied`). */
  commit(entry: JournalEntry): Promise<void> {
    const line = `${JSON.stringify(entry.text === null ? { f: entry.file, d: 1 } : { f: entry.file, t: entry.text })}\n`;
    return new Promise((resolve, reject) => {
      this.queue.push({ line, entry, done: (err) => (err ? reject(err) : resolve()) });
      if (!this.batch) this.flush();
    });
  }

  /** The entry's file was written or removed: the checkpoint of its journal fsyncs it. */
  applied(entry: JournalEntry): void {
    const seq = entry.seq ?? this.seq;
    let files = this.touched.get(seq);
    if (!files) {
      files = new Set();
      this.touched.set(seq, files);
    }
    files.add(entry.file);
    if (this.entries >= CHECKPOINT_ENTRIES) void this.checkpoint();
  }

  /** Fsyncs what the current journal covers and removes it (one checkpoint at a time). */
  checkpoint(): Promise<void> {
    if (this.checkpointing || this.entries === 0) return this.checkpointing ?? Promise.resolve();
    clearTimeout(this.timer);
    this.timer = undefined;
    const journal = this.journalFile();
    const seq = this.seq;
    const fd = this.fd;
    // New batches go to the next journal from now on; the one in flight (if any) is this one's.
    const inFlight = this.batch;
    this.seq++;
    this.fd = -1;
    this.entries = 0;
    this.checkpointing = (async () => {
      try {
        await inFlight;
        // Each committed entry is applied right after its commit resolves, in the same turn:
        // one turn later, every entry of this journal has been applied.
        await new Promise((r) => setImmediate(r));
        closeSync(fd);
        const files = this.touched.get(seq) ?? new Set<string>();
        this.touched.delete(seq);
        const dirs = new Set<string>();
        await mapWithConcurrency([...files], CHECKPOINT_CONCURRENCY, async (file) => {
          const path = join(this.base, file);
          // The group's directory, and the account's that holds it.
          dirs.add(dirname(path)).add(dirname(dirname(path)));
          await fsyncFile(path);
        });
        for (const dir of dirs) await fsyncFile(dir);
        await fs.unlink(journal);
      } catch (err) {
        // The journal stays: the next start replays it.
        this.logger.warn(`journal checkpoint failed: ${(err as Error).message}`);
      } finally {
        this.checkpointing = null;
      }
    })();
    return this.checkpointing;
  }

  /** Closes the journal after a last checkpoint (shutdown). */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    await this.checkpoint();
    await this.batch;
    await this.checkpoint();
  }

  /** The journal file is made with the first write it takes (none in a data dir never written). */
  private open(): number {
    if (this.fd < 0) {
      mkdirSync(this.base, { recursive: true });
      this.fd = openSync(this.journalFile(), 'a', 0o640);
    }
    return this.fd;
  }

  private journalFile(): string {
    return join(this.base, `.journal-${this.seq}`);
  }

  /** Writes every queued line with one write and one fdatasync, then the next batch. */
  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) {
      this.batch = null;
      return;
    }
    let fd: number;
    try {
      fd = this.open();
    } catch (err) {
      for (const b of batch) b.done(err as Error);
      this.batch = null;
      return;
    }
    if (this.entries === 0) {
      this.timer = setTimeout(() => void this.checkpoint(), CHECKPOINT_AFTER_MS);
      this.timer.unref();
    }
    this.entries += batch.length;
    for (const b of batch) b.entry.seq = this.seq;
    const data = Buffer.from(batch.map((b) => b.line).join(''));
    this.batch = new Promise<void>((settled) => {
      const finish = (err: Error | null) => {
        for (const b of batch) b.done(err ?? undefined);
        settled();
      };
      writeAll(fd, data, (err) => (err ? finish(err) : fdatasync(fd, finish)));
    }).then(() => this.flush());
  }
}

function readdirIfAny(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

function parseLine(line: string): JournalEntry | null {
  if (!line) return null;
  try {
    const raw = JSON.parse(line) as { f?: unknown; t?: unknown; d?: unknown };
    if (typeof raw.f !== 'string') return null;
    if (raw.d === 1) return { file: raw.f, text: null };
    return typeof raw.t === 'string' ? { file: raw.f, text: raw.t } : null;
  } catch {
    return null;
  }
}

function writeAll(fd: number, data: Buffer, done: (err: Error | null) => void): void {
  write(fd, data, 0, data.length, null, (err, written) => {
    if (err) return done(err);
    if (written < data.length) return writeAll(fd, data.subarray(written), done);
    done(null);
  });
}

/** Temp file, fsync, rename: what every write did before the journal (now only recovery). */
function writeDurably(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${randomUUID()}.tmp`);
  const fd = openSync(temp, 'wx', 0o640);
  try {
    writeFileSync(fd, text, 'utf8');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * fsync of a file or directory; one removed meanwhile needs none. With callbacks rather than a
 * FileHandle: a checkpoint fsyncs every file a create wrote, and the FileHandle's promises cost
 * the event loop more than the three calls themselves (bench:api, create).
 */
function fsyncFile(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    open(path, 'r', (openErr, fd) => {
      if (openErr) return openErr.code === 'ENOENT' ? resolve() : reject(openErr);
      fsync(fd, (syncErr) =>
        close(fd, (closeErr) => {
          const err = syncErr ?? closeErr;
          if (err) reject(err);
          else resolve();
        }),
      );
    });
  });
}
