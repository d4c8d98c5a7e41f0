import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { IS_PUBLIC_KEY } from '../common/decorators/public.decorator';
import { TokenVerifier } from './token-verifier';

export const AUTH_HEADER = 'x-auth-token';

/**
 * Global guard: every route not marked @Public() needs a valid `X-Auth-Token`.
 * Missing header: 401. Wrong token: 403. The presented value never appears in a message.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const header = context.switchToHttp().getRequest<Request>().headers[AUTH_HEADER];
    const presented = Array.isArray(header) ? header[0] : header;
    if (!presented) throw new UnauthorizedException('missing X-Auth-Token header');
    if (!(await this.verifier.verify(presented))) throw new ForbiddenException('invalid token');
    return true;
  }
}
