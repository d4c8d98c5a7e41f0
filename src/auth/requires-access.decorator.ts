import { SetMetadata } from '@nestjs/common';
import type { Access } from './api-keys.config';

export const ACCESS_KEY = 'minion:access';

/**
 * The access level a route needs from a scoped API key. Without it: `read` for GET, `write`
 * for anything else. `run` marks the routes that run or try a job without changing it.
 */
export const RequiresAccess = (access: Access): MethodDecorator => SetMetadata(ACCESS_KEY, access);
