import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/decorators/public.decorator';
import { versionInfo } from '../common/version';

export class VersionDto {
  @ApiProperty({ example: '1.0.0' })
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
  @ApiOperation({ summary: 'Answers pong' })
  @ApiOkResponse({ schema: { type: 'string', example: 'pong' } })
  ping(): string {
    return 'pong';
  }

  @Get('version')
  @ApiOperation({ summary: 'Version, git hash and build time' })
  @ApiOkResponse({ type: VersionDto })
  version(): VersionDto {
    return this.versionInfo;
  }
}
