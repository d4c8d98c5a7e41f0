import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import { inKeyGroups } from '../auth/scope';
import { ApiErrorResponses, AUTHENTICATED_ERRORS } from '../common/http/api-docs.decorators';
import { LimitQuery } from '../common/http/limit-query';
import { setNextLink } from '../common/http/next-link';
import { AccountParams, JobParams } from '../common/http/path-params';
import { AuditEntry } from './audit-entry';
import { AuditLog } from './audit-log';
import { AuditQuery } from './audit-query.dto';

/** The audit trail over the API: one job's history, and an account's feed from a time on. */
@ApiTags('audit')
@ApiErrorResponses(...AUTHENTICATED_ERRORS)
@Controller(':account')
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get('jobs/:group/:id/history')
  @ApiOperation({
    operationId: 'jobHistory',
    summary: 'Who changed, ran, paused or deleted a job, and what changed (newest first)',
    description: 'Kept after the job is deleted.',
  })
  @ApiOkResponse({ description: 'Audit entries of the job, newest first', type: [AuditEntry] })
  history(@Param() params: JobParams, @Query() { limit }: LimitQuery): Promise<AuditEntry[]> {
    return this.audit.history(params, limit);
  }

  @Get('audit')
  @ApiOperation({
    operationId: 'accountAudit',
    summary: "An account's audit trail from `since` on (oldest first), page by page",
  })
  @ApiOkResponse({
    description:
      'Audit entries, oldest first; when more follow, `Link: <...&start_after=...>; rel="next"`',
    type: [AuditEntry],
  })
  async list(
    @Param() { account }: AccountParams,
    @Query() query: AuditQuery,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AuditEntry[]> {
    const page = await this.audit.list(account, {
      since: query.since ? new Date(query.since) : undefined,
      limit: query.limit,
      startAfter: query.start_after,
    });
    if (page.next) {
      setNextLink(req, res, { limit: query.limit, start_after: page.next, since: query.since });
    }
    // A key scoped to some groups sees only their entries.
    return page.entries.filter((e) => inKeyGroups(req.apiKey, e.group));
  }
}
