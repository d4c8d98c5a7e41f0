/**
 * Writes the OpenAPI document to openapi.json at the project root (run by `npm run build`). The
 * app is created but never started: no data directory, no port, no scheduler.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AppModule } from './app.module';
import { loadConfig } from './config/config.loader';
import { configureApp, httpAdapterFor } from './app.setup';
import { createOpenApiDocument } from './openapi-document';

export function openApiText(document: object): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

async function main(): Promise<void> {
  const cwd = mkdtempSync(join(tmpdir(), 'minion-openapi-'));
  try {
    // The embedded default: the document does not depend on the configuration.
    const settings = loadConfig({ argv: [], env: {}, cwd });
    const app = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot(settings),
      httpAdapterFor(settings),
      { bodyParser: false, logger: false },
    );
    configureApp(app);
    const out = resolve(process.argv[2] ?? join(__dirname, '..', 'openapi.json'));
    writeFileSync(out, openApiText(createOpenApiDocument(app)));
    await app.close();
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`could not write openapi.json: ${err.stack}\n`);
    process.exit(1);
  });
}
