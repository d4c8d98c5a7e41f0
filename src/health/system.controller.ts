import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiSchema, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/decorators/public.decorator';
import { ApiTextResponse } from '../common/http/api-docs.decorators';
import { versionInfo } from '../common/version';

@ApiSchema({ name: 'Version', description: 'The build of this minion' })
export class VersionDto {
  @ApiProperty({ description: 'minion version (package.json)', example: '1.0.0' })
  version: string;

  @ApiProperty({ description: 'Git commit the build was made from', example: '3f2c1e0' })
  githash: string;

  @ApiProperty({ description: 'When the build was made', example: '2026-11-24T12:00:00Z' })
  buildstamp: string;
}

@ApiTags('system')
@Public()
@Controller()
export class SystemController {
  private readonly versionInfo: VersionDto = versionInfo();

  @Get('ping')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiOperation({ operationId: 'ping', summary: 'Answers pong' })
  @ApiTextResponse(200, 'Body `pong`', 'pong')
  ping(): string {
    return 'pong';
  }

  @Get('version')
  @ApiOperation({ operationId: 'version', summary: 'Version, git hash and build time' })
  @ApiOkResponse({ description: 'The build', type: VersionDto })
  version(): VersionDto {
    return this.versionInfo;
  }
}
