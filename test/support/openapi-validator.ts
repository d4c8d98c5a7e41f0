import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Middleware } from 'openapi-fetch';

export const OPENAPI_FILE = join(__dirname, '..', '..', 'openapi.json');

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}

/**
 * Checks answers against the committed OpenAPI document: the status is documented for the
 * operation, the content type is one it lists, and the body matches its schema (Ajv, with the
 * document's components; OpenAPI 3.0's `nullable` is Ajv's own keyword).
 */
export class OpenApiValidator {
  readonly document = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as {
    paths: Record<string, Record<string, Operation>>;
    components: object;
  };
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  readonly checked: string[] = [];

  constructor() {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'openapi', components: this.document.components });
  }

  /** Throws, saying what differs, when an answer does not match the document. */
  check(path: string, method: string, status: number, contentType: string, body: string): void {
    const where = `${method.toUpperCase()} ${path} ${status}`;
    const operation = this.document.paths[path]?.[method.toLowerCase()];
    if (!operation) throw new Error(`${where}: operation not in the document`);
    const response = operation.responses[String(status)];
    if (!response) throw new Error(`${where}: status not documented`);
    const media = Object.keys(response.content ?? {}).find((m) => contentType.startsWith(m));
    if (!media) {
      throw new Error(
        `${where}: content type ${contentType} not documented (${Object.keys(response.content ?? {})})`,
      );
    }
    const schema = response.content?.[media]?.schema;
    if (schema) {
      const value = media === 'application/json' ? JSON.parse(body) : body;
      const validate = this.validator(`${where} ${media}`, schema);
      if (!validate(value)) {
        throw new Error(
          `${where}: body does not match the schema: ${this.ajv.errorsText(validate.errors)}`,
        );
      }
    }
    this.checked.push(where);
  }

  /** openapi-fetch middleware checking every answer the generated client receives. */
  middleware(): Middleware {
    return {
      onResponse: async ({ request, response, schemaPath }) => {
        const body = await response.clone().text();
        this.check(
          schemaPath,
          request.method,
          response.status,
          response.headers.get('content-type') ?? '',
          body,
        );
        return undefined;
      },
    };
  }

  private validator(key: string, schema: object): ValidateFunction {
    let validate = this.compiled.get(key);
    if (!validate) {
      // The document's refs ("#/components/...") point into the schema registered as "openapi".
      const resolved = JSON.parse(
        JSON.stringify(schema).replace(/"#\/components\//g, '"openapi#/components/'),
      );
      validate = this.ajv.compile(resolved);
      this.compiled.set(key, validate);
    }
    return validate;
  }
}
