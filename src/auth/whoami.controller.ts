import { Controller, Get, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest as Request } from 'fastify';
import { ApiErrorResponses } from '../common/http/api-docs.decorators';
import { Accounts } from '../domain/accounts';
import { WhoAmIDto } from './whoami.dto';

/** Who a key is: what a client (the console) shows and hides by. The server still checks. */
@ApiTags('auth')
@ApiErrorResponses(401, 403, 429)
@Controller('whoami')
export class WhoAmIController {
  constructor(private readonly accounts: Accounts) {}

  @Get()
  @ApiOperation({
    operationId: 'whoAmI',
    summary: 'The key this request authenticated with: its name, accounts, groups and access',
    description:
      'Any valid key may ask. A client shows only what the key may do by it; every route still refuses what the key may not do.',
  })
  @ApiOkResponse({ description: 'The key', type: WhoAmIDto })
  whoAmI(@Req() req: Request): WhoAmIDto {
    // The guard authenticated the request: the key is there.
    const key = req.apiKey!;
    const names = this.accounts.names().filter((a) => !key.accounts || key.accounts.has(a));
    return {
      name: key.name,
      access: key.access,
      accounts: names.sort().map((name) => ({
        name,
        runners: [...(this.accounts.get(name)?.runners ?? [])],
      })),
      ...(key.groups ? { groups: [...key.groups].sort() } : {}),
    };
  }
}
