import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiPublic } from '../http/api-docs.decorators';

export const IS_PUBLIC_KEY = 'minion:isPublic';

/**
 * Marks a route as reachable without `X-Auth-Token` (probes, metrics, version); the OpenAPI
 * document says so with `security: []`.
 */
export const Public = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC_KEY, true), ApiPublic());
