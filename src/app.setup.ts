import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { Logger as Pino } from 'pino';
import { DomainExceptionFilter } from './common/filters/domain-exception.filter';
import { AllowedMethods } from './common/http/allowed-methods';
import { createHttpAdapter, MinionFastifyAdapter } from './common/http/http-platform';
import { useJsonBody } from './common/http/json-body';
import { ROOT_LOGGER, useRequestLogging } from './common/http/request-logging';
import { LenientValidationPipe } from './common/pipes/lenient-validation.pipe';
import { MinionSettings } from './config/settings';
import { HttpMetrics } from './metrics/http-metrics';
import { API_PREFIX, createOpenApiDocument } from './openapi-document';

export { API_PREFIX };

/** The HTTP adapter an app is created with (main.ts, the e2e tests, openapi.json). */
export function httpAdapterFor(settings: MinionSettings) {
  return createHttpAdapter(settings.http.trustProxy, API_PREFIX);
}

/**
 * Everything that makes the HTTP surface what it is, shared by main.ts and the e2e tests so the
 * tests exercise the real thing. The app must be created with `httpAdapterFor(settings)` and
 * `{ bodyParser: false }`, and configured before it is initialized (the hooks must be in place
 * before the routes are registered).
 */
export function configureApp(app: NestFastifyApplication): NestFastifyApplication {
  const fastify = app.getHttpAdapter().getInstance();
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix(API_PREFIX);
  const logRefused = useRequestLogging(fastify, app.get<Pino>(ROOT_LOGGER));
  const adapter = app.getHttpAdapter();
  if (adapter instanceof MinionFastifyAdapter) adapter.onRefused = logRefused;
  app.get(HttpMetrics).observe(fastify);
  // As the original: any origin may call, with the token header.
  app.enableCors({
    origin: '*',
    allowedHeaders: ['X-Auth-Token', 'Content-Type'],
    // Every method a route answers (Fastify's CORS would allow only GET, HEAD and POST).
    methods: 'GET,HEAD,PUT,PATCH,POST,DELETE',
    optionsSuccessStatus: 200,
    // Any OPTIONS is answered 200, as before: not a 400 text answer for one without Origin.
    strictPreflight: false,
  });
  useJsonBody(fastify);
  app.useGlobalPipes(new LenientValidationPipe());
  app.useGlobalFilters(new DomainExceptionFilter(new AllowedMethods(fastify)));
  setupSwagger(app);
  return app;
}

function setupSwagger(app: NestFastifyApplication): void {
  SwaggerModule.setup(`${API_PREFIX}/docs`, app, createOpenApiDocument(app), {
    jsonDocumentUrl: `${API_PREFIX}/docs-json`,
  });
}
