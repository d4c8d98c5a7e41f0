import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { contentTypeOf } from '../common/http/content-types';
import { ConsoleSettings } from './console.config';

/** Files smaller than this are not worth compressing. */
const GZIP_MIN_BYTES = 1024;

export interface UiFile {
  body: Buffer;
  /** The body gzipped, when that is smaller. */
  gzip?: Buffer;
  type: string;
  /** Named by their content hash (`assets/`): cached for a year; everything else revalidated. */
  immutable: boolean;
}

/**
 * The built console (a few files, a few hundred KB), read into memory once at startup with
 * their gzipped forms: a request is a map lookup, and no path from a URL ever reaches the file
 * system. Missing (the console was not built): every UI request answers 404 saying so.
 */
@Injectable()
export class UiAssets implements OnModuleInit {
  private readonly logger = new Logger('Console');
  private readonly files = new Map<string, UiFile>();

  constructor(private readonly settings: ConsoleSettings) {}

  onModuleInit(): void {
    if (!this.settings.enabled) return;
    const root = this.settings.assets;
    if (!statSync(join(root, 'index.html'), { throwIfNoEntry: false })) {
      this.logger.warn(`the console is not built (no ${join(root, 'index.html')}): npm run build`);
      return;
    }
    for (const file of walk(root)) {
      const body = readFileSync(file);
      const name = relative(root, file).split(sep).join('/');
      const zipped = body.length >= GZIP_MIN_BYTES ? gzipSync(body, { level: 9 }) : undefined;
      this.files.set(name, {
        body,
        gzip: zipped && zipped.length < body.length ? zipped : undefined,
        type: contentTypeOf(name),
        immutable: name.startsWith('assets/'),
      });
    }
  }

  get built(): boolean {
    return this.files.has('index.html');
  }

  get(name: string): UiFile | undefined {
    return this.files.get(name);
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : [],
  );
}
