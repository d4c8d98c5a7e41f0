import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest as Request } from 'fastify';
import { ACCESS_KEY } from './requires-access.decorator';
import { IS_PUBLIC_KEY } from '../common/decorators/public.decorator';
import { Access, ApiKey } from './api-keys.config';
import { Accounts } from '../domain/accounts';
import { checkScope, ScopedParams } from './scope';
import { TooManyRequestsError } from '../common/errors';
import { AuthThrottle } from './auth-throttle';
import { TokenVerifier } from './token-verifier';

export const AUTH_HEADER = 'x-auth-token';

/**
 * Global guard: every route not marked @Public() needs a valid `X-Auth-Token`, the original
 * token or a scoped key of `apiKeys`, whose scope the route's account, group and access level
 * must fit (`checkScope`), and whose `{account}`, if it has one, must be configured (404
 * otherwise, as the original answered). Missing header: 401. Wrong token: 403. Too many failures from one
 * address, or too many bcrypt checks at once: 429 with Retry-After, for values not already known
 * to be valid (a known-valid value always passes). The presented value never
 * appears in a message.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
    private readonly throttle: AuthThrottle,
    private readonly accounts: Accounts,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const header = req.headers[AUTH_HEADER];
    const presented = Array.isArray(header) ? header[0] : header;
    if (!presented) throw new UnauthorizedException('missing X-Auth-Token header');
    const verdict = this.verifier.known(presented) ?? (await this.checkUnknown(req, presented));
    req.apiKey = verdict;
    const needed =
      this.reflector.get<Access | undefined>(ACCESS_KEY, context.getHandler()) ??
      (req.method === 'GET' || req.method === 'HEAD' ? 'read' : 'write');
    const params = (req.params ?? {}) as ScopedParams;
    checkScope(verdict, needed, params);
    // The one check that `{account}` is configured, for every route that has one.
    const account = params.account;
    if (account !== undefined) this.accounts.require(account);
    return true;
  }

  /**
   * A value not known to be valid: the failure throttle stands in front of its (possibly bcrypt)
   * check. Behind an ingress without `trustProxy` every client shares one address, which is why
   * values already known to be valid never reach this (`TokenVerifier.known`).
   */
  private async checkUnknown(req: Request, presented: string): Promise<ApiKey> {
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const wait = await this.throttle.blockedFor(address);
    if (wait > 0) {
      throw new TooManyRequestsError('too many failed authentications from this address', wait);
    }
    const verdict = await this.verifier.verify(presented);
    if (verdict === 'busy') {
      throw new TooManyRequestsError('too many token checks at once; retry shortly', 1);
    }
    if (verdict === 'invalid') {
      await this.throttle.failed(address);
      throw new ForbiddenException('invalid token');
    }
    return verdict;
  }
}
