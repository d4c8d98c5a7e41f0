import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

/** One record waiting for CloudWatch: log group, stream, timestamp, message. */
export interface SpillRecord {
  g: string;
  s: string;
  t: number;
  m: string;
}

/** What was delivered: the file up to `offset`, and the records `sent` of the chunk after it. */
interface Progress {
  offset: number;
  sent: number[];
}

/** A chunk read from the file: each record with its index from `offset`, and where it ends. */
export interface SpillChunk {
  records: { index: number; record: SpillRecord }[];
  /** Unreadable lines in it (a record torn by a crash): skipped. */
  unreadable: number;
  end: number;
}

/** Bytes read at once; a record (one event, at most 256 KiB) always fits. */
const READ_BYTES = 16 * 1024 * 1024;
/**
 * Delivered records are marked on disk at most this often (and at the end of each chunk): an
 * fsync per PutLogEvents made delivery crawl (bench:cloudwatch, BENCH_OUTAGE=1). A crash can
 * resend what CloudWatch took in this window.
 */
export const PROGRESS_SAVE_MS = 100;

/**
 * Records that could not reach CloudWatch, on disk: append-only JSON lines, each append
 * fsync'd before it is acknowledged, and a progress file (`<file>.progress`, replaced atomically)
 * saying what was delivered, so a restart neither loses nor resends what it knows about. The file
 * is emptied once all of it is delivered; it never grows past `maxBytes` (appends beyond are
 * refused, and the caller counts them).
 */
export class SpillFile {
  private fd: number | null = null;
  private size = 0;
  private progress: Progress = { offset: 0, sent: [] };
  private progressSavedAt = 0;
  private progressDirty = false;
  /** Records on disk not delivered yet. */
  records = 0;

  constructor(
    readonly path: string,
    private readonly maxBytes: number,
  ) {}

  private get progressPath(): string {
    return `${this.path}.progress`;
  }

  /** Opens (creating) the file; a torn last line (a crash while appending) is cut off. */
  open(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    this.fd = openSync(this.path, 'a+');
    this.size = fstatSync(this.fd).size;
    if (this.size > 0) {
      const tail = Buffer.alloc(1);
      readSync(this.fd, tail, 0, 1, this.size - 1);
      if (tail[0] !== 0x0a) {
        const lastNewline = this.lastNewlineBefore(this.size);
        ftruncateSync(this.fd, lastNewline);
        this.size = lastNewline;
      }
    }
    if (existsSync(this.progressPath)) {
      try {
        const p = JSON.parse(readFileSync(this.progressPath, 'utf8')) as Progress;
        if (Number.isInteger(p.offset) && p.offset >= 0 && p.offset <= this.size) {
          this.progress = { offset: p.offset, sent: Array.isArray(p.sent) ? p.sent : [] };
        }
      } catch {
        // An unreadable progress file: deliver from the start (a duplicate beats a loss).
      }
    }
    this.records = this.countLines(this.progress.offset) - this.progress.sent.length;
  }

  /** Records on disk wait for delivery: new records go after them, to keep the order. */
  get pending(): boolean {
    return this.progress.offset < this.size;
  }

  get bytes(): number {
    return this.size;
  }

  /** Appends and fsyncs; returns how many fitted under `maxBytes` (the first ones). */
  append(records: SpillRecord[]): number {
    const fd = this.requireOpen();
    const lines: string[] = [];
    let bytes = 0;
    for (const r of records) {
      const line = `${JSON.stringify(r)}\n`;
      const length = Buffer.byteLength(line, 'utf8');
      if (this.size + bytes + length > this.maxBytes) break;
      lines.push(line);
      bytes += length;
    }
    if (lines.length === 0) return 0;
    const buffer = Buffer.from(lines.join(''), 'utf8');
    let written = 0;
    while (written < buffer.length) {
      written += writeSync(fd, buffer, written, buffer.length - written, this.size + written);
    }
    fsyncSync(fd);
    this.size += buffer.length;
    this.records += lines.length;
    return lines.length;
  }

  /** Up to `max` records from the delivered offset, leaving out those already sent. */
  readChunk(max: number): SpillChunk {
    const fd = this.requireOpen();
    const start = this.progress.offset;
    const buffer = Buffer.alloc(Math.min(READ_BYTES, this.size - start));
    const read = readSync(fd, buffer, 0, buffer.length, start);
    const sent = new Set(this.progress.sent);
    const chunk: SpillChunk = { records: [], unreadable: 0, end: start };
    let from = 0;
    for (let index = 0; index < max; index++) {
      const newline = buffer.indexOf(0x0a, from);
      if (newline < 0 || newline >= read) break;
      const line = buffer.toString('utf8', from, newline);
      from = newline + 1;
      chunk.end = start + from;
      if (sent.has(index)) continue;
      try {
        chunk.records.push({ index, record: JSON.parse(line) as SpillRecord });
      } catch {
        chunk.unreadable++;
      }
    }
    return chunk;
  }

  /**
   * These records of the current chunk reached CloudWatch (or were given up): on disk at once
   * if the last mark is `PROGRESS_SAVE_MS` old, else at the next one or `saveProgressNow`.
   */
  markSent(indexes: number[]): void {
    this.progress.sent.push(...indexes);
    this.records -= indexes.length;
    this.progressDirty = true;
    if (Date.now() - this.progressSavedAt >= PROGRESS_SAVE_MS) this.saveProgress();
  }

  /** Writes the marks not on disk yet (a delivery round that stopped, shutdown). */
  saveProgressNow(): void {
    if (this.progressDirty) this.saveProgress();
  }

  /** The chunk ending at `end` is done (its unsent records were given up by the caller). */
  advance(end: number, givenUp: number): void {
    this.records -= givenUp;
    if (end >= this.size) {
      // All delivered: start the file afresh, so it never holds delivered records for long.
      ftruncateSync(this.requireOpen(), 0);
      fsyncSync(this.requireOpen());
      this.size = 0;
      this.records = 0;
      this.progress = { offset: 0, sent: [] };
    } else {
      this.progress = { offset: end, sent: [] };
    }
    this.saveProgress();
  }

  /**
   * Shutdown: `head` (older records, held in memory) goes before what the file still holds, so a
   * restart delivers both, in order. Written aside, fsync'd, then renamed over the file.
   */
  prepend(head: SpillRecord[]): void {
    const fd = this.requireOpen();
    const rest = Buffer.alloc(this.size - this.progress.offset);
    readSync(fd, rest, 0, rest.length, this.progress.offset);
    const lines = this.progress.sent.length > 0 ? this.withoutSent(rest) : rest;
    const tmp = `${this.path}.tmp`;
    const out = openSync(tmp, 'w');
    const headBuffer = Buffer.from(head.map((r) => `${JSON.stringify(r)}\n`).join(''), 'utf8');
    for (const b of [headBuffer, lines]) {
      let written = 0;
      while (written < b.length) written += writeSync(out, b, written, b.length - written);
    }
    fsyncSync(out);
    closeSync(out);
    closeSync(fd);
    renameSync(tmp, this.path);
    this.fd = openSync(this.path, 'a+');
    this.size = headBuffer.length + lines.length;
    this.records += head.length;
    this.progress = { offset: 0, sent: [] };
    this.saveProgress();
  }

  close(): void {
    if (this.fd !== null) this.saveProgressNow();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  /** The lines of `rest` (the current chunk first) but those already sent. */
  private withoutSent(rest: Buffer): Buffer {
    const sent = new Set(this.progress.sent);
    const kept: Buffer[] = [];
    let from = 0;
    for (let index = 0; from < rest.length; index++) {
      const newline = rest.indexOf(0x0a, from);
      const end = newline < 0 ? rest.length : newline + 1;
      if (!sent.has(index)) kept.push(rest.subarray(from, end));
      from = end;
    }
    return Buffer.concat(kept);
  }

  private saveProgress(): void {
    this.progressSavedAt = Date.now();
    this.progressDirty = false;
    const tmp = `${this.progressPath}.tmp`;
    const fd = openSync(tmp, 'w');
    writeSync(fd, JSON.stringify(this.progress));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.progressPath);
    if (this.size === 0) rmSync(this.progressPath, { force: true });
  }

  private countLines(from: number): number {
    const fd = this.requireOpen();
    const buffer = Buffer.alloc(READ_BYTES);
    let count = 0;
    for (let position = from; position < this.size;) {
      const read = readSync(fd, buffer, 0, buffer.length, position);
      if (read <= 0) break;
      for (let i = 0; i < read; i++) if (buffer[i] === 0x0a) count++;
      position += read;
    }
    return count;
  }

  private lastNewlineBefore(end: number): number {
    const fd = this.requireOpen();
    const buffer = Buffer.alloc(64 * 1024);
    for (let stop = end; stop > 0;) {
      const start = Math.max(0, stop - buffer.length);
      const read = readSync(fd, buffer, 0, stop - start, start);
      const at = buffer.subarray(0, read).lastIndexOf(0x0a);
      if (at >= 0) return start + at + 1;
      stop = start;
    }
    return 0;
  }

  private requireOpen(): number {
    if (this.fd === null) throw new Error(`spill file ${this.path} is not open`);
    return this.fd;
  }
}
