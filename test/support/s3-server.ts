import { S3Client } from '@aws-sdk/client-s3';
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  RepositoryDefinition,
  repositorySettings,
  S3RepositoryOptions,
  S3Settings,
} from '../../src/repository/repository.config';
import { plainToInstance } from 'class-transformer';
import { createS3Client } from '../../src/repository/s3-jobs.repository';
import { killProcess } from './build-app';

/** The child's script: beside this file, or (when this file runs compiled from dist-bench/) in the sources. */
const CHILD_SCRIPT = [
  join(__dirname, 's3rver-child.js'),
  join(__dirname, '../../../test/support/s3rver-child.js'),
].find((p) => existsSync(p)) as string;

/**
 * A real S3 protocol server (s3rver, see s3rver-child.js) in a child process on a random port,
 * with one bucket. `stop()` kills it (data kept), `restart()` brings it back on the same port.
 */
export class TestS3 {
  readonly bucket = 'minion-test';
  private child?: ChildProcess;
  private port = 0;

  private constructor(
    readonly directory: string,
    private readonly latencyMs: number,
  ) {}

  /** `latencyMs` delays every answer (benchmarks: S3's network latency, which loopback lacks). */
  static async start(
    directory = mkdtempSync(join(tmpdir(), 'minion-s3-')),
    latencyMs = 0,
  ): Promise<TestS3> {
    const s3 = new TestS3(directory, latencyMs);
    await s3.spawn();
    return s3;
  }

  /** The server process (benchmarks read its CPU time). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Repository options as a user would configure them for an S3-compatible store. */
  options(prefix = 'minion'): S3RepositoryOptions {
    return {
      region: 'us-east-1',
      bucket: this.bucket,
      prefix,
      endpoint: this.endpoint,
      forcePathStyle: true,
      akid: 'S3RVER',
      secret: 'S3RVER',
    };
  }

  /** The same, resolved as the app resolves a config: for building the repository directly. */
  settings(prefix = 'minion'): S3Settings {
    const def = plainToInstance(RepositoryDefinition, { type: 's3', config: this.options(prefix) });
    const { store } = repositorySettings(def, 'minion');
    if (store.type !== 's3') throw new Error('expected S3 settings');
    return store.s3;
  }

  client(): S3Client {
    return createS3Client(this.settings());
  }

  /** Kills the server process (the data stays on disk). */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    await killProcess(child);
  }

  async restart(): Promise<void> {
    await this.spawn();
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.directory, { recursive: true, force: true });
  }

  private async spawn(): Promise<void> {
    const child = spawn(
      process.execPath,
      [
        '--openssl-legacy-provider',
        CHILD_SCRIPT,
        this.directory,
        this.bucket,
        String(this.port),
        String(this.latencyMs),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const line = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}`)));
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
    });
    this.port = (JSON.parse(line) as { port: number }).port;
    this.child = child;
  }
}
