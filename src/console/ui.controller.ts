import { Controller, Get, NotFoundException, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/decorators/public.decorator';
import { ConsoleSettings } from './console.config';
import { SECURITY_HEADERS } from './security-headers';
import { UiAssets } from './ui-assets';

/**
 * The operator console's files under `/v1/minion/ui/`: public (the page holds no data; every
 * API call it makes carries the key the operator pasted), with a Content-Security-Policy that
 * allows no inline script and nothing from another origin, and never framed. `console.enabled:
 * false` turns it off (404).
 */
@ApiExcludeController()
@Public()
@Controller('ui')
export class UiController {
  constructor(
    private readonly settings: ConsoleSettings,
    private readonly assets: UiAssets,
  ) {}

  @Get()
  index(@Req() req: FastifyRequest, @Res() res: FastifyReply): void {
    const path = req.url.split('?')[0];
    // Relative asset URLs need the trailing slash.
    if (!path.endsWith('/')) return void res.redirect(`${path}/`, 301);
    this.send('index.html', req, res);
  }

  @Get('*')
  file(@Param('*') path: string, @Req() req: FastifyRequest, @Res() res: FastifyReply): void {
    this.send(path, req, res);
  }

  private send(name: string, req: FastifyRequest, res: FastifyReply): void {
    if (!this.settings.enabled) {
      throw new NotFoundException('the console is turned off (console.enabled: false)');
    }
    if (!this.assets.built) {
      throw new NotFoundException('the console is not built: run npm run build');
    }
    const file = this.assets.get(name);
    if (!file) throw new NotFoundException(`no such console file: ${name}`);
    void res
      .headers(SECURITY_HEADERS)
      .header('Content-Type', file.type)
      .header('Cache-Control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('Vary', 'Accept-Encoding');
    if (file.gzip && acceptsGzip(req.headers['accept-encoding'])) {
      void res.header('Content-Encoding', 'gzip').send(file.gzip);
    } else {
      void res.send(file.body);
    }
  }
}

/**
 * Whether `Accept-Encoding` takes gzip: named with a q-value above 0, or not named and `*` is
 * (an explicit `gzip;q=0` refuses it whatever `*` says). No header: identity only.
 */
export function acceptsGzip(header: string | undefined): boolean {
  let gzip: number | undefined;
  let any: number | undefined;
  for (const part of (header ?? '').toLowerCase().split(',')) {
    const [coding, ...params] = part.split(';').map((p) => p.trim());
    const q = params.find((p) => p.startsWith('q='));
    const quality = q ? Number(q.slice(2)) : 1;
    if (coding === 'gzip') gzip = quality;
    else if (coding === '*') any = quality;
  }
  return (gzip ?? any ?? 0) > 0;
}
