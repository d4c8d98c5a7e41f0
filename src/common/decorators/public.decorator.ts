import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_KEY = 'minion:isPublic';

/** Marks a route as reachable without `X-Auth-Token` (probes, metrics, version). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);
