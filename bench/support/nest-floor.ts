/**
 * A second reference of `bench:api`: the floor of minion's HTTP stack. The same Nest on the same
 * Express, with minion's own validation pipe and create DTO, and nothing else: no auth guard, no
 * middleware (request log, metrics, path decoding, CORS), no store, no audit. `GET` answers the
 * bytes minion answered for the job `bench:api` reads (FLOOR_GET_BODY); `POST` validates the body
 * as minion's create does and answers it with an id. What minion costs above this is its own
 * work; what this costs above bare Express is the framework's. Listens on $PORT, prints its port.
 *
 * FLOOR_PLATFORM=fastify runs the same module on Nest's Fastify adapter (minion's HTTP platform
 * since issue 24's fifth pass); the default, Express, is the platform minion had before.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, INestApplication, Module, Param, Post } from '@nestjs/common';
import { AbstractHttpAdapter, NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { GroupParams, JobParams } from '../../src/common/http/path-params';
import { LenientValidationPipe } from '../../src/common/pipes/lenient-validation.pipe';
import { JobRequestDto } from '../../src/jobs/dto/job-request.dto';

const GET_BODY: unknown = JSON.parse(process.env.FLOOR_GET_BODY ?? '{}');

@Controller(':account/jobs')
class FloorController {
  @Get(':group/:id')
  get(@Param() _params: JobParams): unknown {
    return GET_BODY;
  }

  @Post(':group')
  create(@Param() { group }: GroupParams, @Body() body: JobRequestDto): unknown {
    return { job: { ...body.job, id: randomUUID(), group }, tags: body.tags ?? [], log: null };
  }
}

@Module({ controllers: [FloorController] })
class FloorModule {}

async function create(): Promise<INestApplication> {
  if (process.env.FLOOR_PLATFORM === 'fastify') {
    // Not a dependency (see above): loaded only when asked for.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { FastifyAdapter } = require('@nestjs/platform-fastify') as {
      FastifyAdapter: new () => AbstractHttpAdapter;
    };
    return NestFactory.create(FloorModule, new FastifyAdapter(), { logger: false });
  }
  const app = await NestFactory.create<NestExpressApplication>(FloorModule, { logger: false });
  app.set('etag', false); // as minion
  return app;
}

async function main(): Promise<void> {
  const app = await create();
  app.useGlobalPipes(new LenientValidationPipe());
  await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
  const address = app.getHttpServer().address();
  console.log(typeof address === 'object' && address ? address.port : 0);
  // A normal exit, so that a `--cpu-prof` profile is written.
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
