import { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { Logger as Pino } from 'pino';
import { DomainExceptionFilter } from './common/filters/domain-exception.filter';
import { AllowedMethods } from './common/http/allowed-methods';
import { jsonBody } from './common/http/json-body.middleware';
import { pathDecoding } from './common/http/path-decoding.middleware';
import { requestLogging, ROOT_LOGGER } from './common/http/request-logging';
import { LenientValidationPipe } from './common/pipes/lenient-validation.pipe';
import { MinionSettings } from './config/settings';
import { API_PREFIX, createOpenApiDocument } from './openapi-document';

export { API_PREFIX };

/**
 * Everything that makes the HTTP surface what it is, shared by main.ts and the e2e tests so the
 * tests exercise the real thing. The app must be created with `{ bodyParser: false }`.
 */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix(API_PREFIX);
  app.use(requestLogging(app.get<Pino>(ROOT_LOGGER)));
  // Behind a load balancer, which X-Forwarded-For hops give the client address (auth throttling).
  app.set('trust proxy', app.get(MinionSettings).http.trustProxy);
  // No ETag on answers, as the original sent none: Express would hash every body to make one.
  app.set('etag', false);
  // As the original: any origin may call, with the token header.
  app.enableCors({
    origin: '*',
    allowedHeaders: ['X-Auth-Token', 'Content-Type'],
    optionsSuccessStatus: 200,
  });
  app.use(pathDecoding(API_PREFIX));
  app.use(jsonBody());
  app.useGlobalPipes(new LenientValidationPipe());
  app.useGlobalFilters(
    new DomainExceptionFilter(new AllowedMethods(app.getHttpAdapter().getInstance())),
  );
  setupSwagger(app);
  return app;
}

function setupSwagger(app: NestExpressApplication): void {
  SwaggerModule.setup(`${API_PREFIX}/docs`, app, createOpenApiDocument(app), {
    jsonDocumentUrl: `${API_PREFIX}/docs-json`,
  });
}
