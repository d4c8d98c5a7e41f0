import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Public } from '../common/decorators/public.decorator';

export class VersionDto {
  @ApiProperty({ example: '1.0.0' })
  version: string;

  @ApiProperty({ description: 'Git commit the build was made from', example: '3f2c1e0' })
  githash: string;

  @ApiProperty({ description: 'When the build was made', example: '2026-11-24T12:00:00Z' })
  buildstamp: string;
}

/** The project root: the nearest directory above this file holding package.json. */
function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Reads the version once: package.json, plus the build info `npm run build` writes. */
function loadVersion(): VersionDto {
  const root = projectRoot();
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const infoPath = join(root, 'dist', 'build-info.json');
  const info = existsSync(infoPath)
    ? (JSON.parse(readFileSync(infoPath, 'utf8')) as Partial<VersionDto>)
    : {};
  return {
    version: pkg.version,
    githash: process.env.MINION_GITHASH ?? info.githash ?? 'unknown',
    buildstamp: process.env.MINION_BUILDSTAMP ?? info.buildstamp ?? 'unknown',
  };
}

@ApiTags('system')
@Public()
@Controller()
export class SystemController {
  private readonly versionInfo = loadVersion();

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
