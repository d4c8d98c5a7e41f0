import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AUTH_SCHEME, PUBLIC_EXTENSION } from './common/http/api-docs.decorators';
import { versionInfo } from './common/version';

export const API_PREFIX = 'v1/minion';

/**
 * The OpenAPI document: the contract. Served at /v1/minion/docs-json, committed as openapi.json
 * (written by `npm run build`; a test fails when the two differ, so every API change shows in
 * review), linted with Redocly, and the source of the typed client the tests compile and run.
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('minion')
      .setDescription(
        'Runs cron-scheduled actions against cloud resources (EC2, RDS, ECS) for many accounts. ' +
          'Every route except ping, version, metrics and health needs the `X-Auth-Token` header: ' +
          'the pre-shared token, or a bcrypt hash of it. Errors are JSON `{statusCode, error, message}`, ' +
          'the message naming the offending field.',
      )
      .setVersion(versionInfo().version)
      .setLicense('AGPL-3.0-only', 'https://www.gnu.org/licenses/agpl-3.0.html')
      .addServer('/', 'The minion serving this document')
      .addTag('jobs', 'Scheduled jobs of an account: create, read, update, delete, run, history')
      .addTag('health', 'Kubernetes probes')
      .addTag('system', 'Ping, version and Prometheus metrics')
      .addApiKey(
        {
          type: 'apiKey',
          in: 'header',
          name: 'X-Auth-Token',
          description:
            'The pre-shared token, or a bcrypt hash of it (cost 12 at most by default); or the secret of a scoped key of `apiKeys`, which reaches its accounts (and groups) only, at its access level: read (GET), run (also run now and dry runs) or write. Out of scope: 404 as for an account that does not exist; below the level: 403.',
        },
        AUTH_SCHEME,
      )
      .addSecurityRequirements(AUTH_SCHEME)
      .build(),
  );
  return nullableReferences(markPublicOperations(document));
}

/**
 * Nest writes a nullable object property as `{type: object, nullable: true, allOf: [{$ref}]}`,
 * which a validator reads as "null, or an object that must also match the reference": null fails
 * the reference. OpenAPI 3.0's exact form is one of the reference or null.
 */
function nullableReferences(document: OpenAPIObject): OpenAPIObject {
  for (const schema of Object.values(document.components?.schemas ?? {})) {
    const properties = (schema as { properties?: Record<string, Record<string, unknown>> })
      .properties;
    for (const [name, property] of Object.entries(properties ?? {})) {
      const refs = property.allOf as { $ref?: string }[] | undefined;
      if (property.nullable !== true || refs?.length !== 1 || !refs[0].$ref) continue;
      properties![name] = {
        description: property.description,
        oneOf: [refs[0], { type: 'object', nullable: true, enum: [null], description: 'None' }],
      };
    }
  }
  return document;
}

/** Operations marked @Public() need no token: `security: []` overrides the document's default. */
function markPublicOperations(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as Record<string, unknown>[]) {
      if (typeof operation !== 'object' || operation === null) continue;
      if (operation[PUBLIC_EXTENSION]) {
        operation.security = [];
        delete operation[PUBLIC_EXTENSION];
      }
    }
  }
  return document;
}
