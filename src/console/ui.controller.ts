import { Controller, Get, NotFoundException, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
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
  index(@Req() req: Request, @Res() res: Response): void {
    const path = req.originalUrl.split('?')[0];
    // Relative asset URLs need the trailing slash.
    if (!path.endsWith('/')) return res.redirect(301, `${path}/`);
    this.send('index.html', req, res);
  }

  @Get('*path')
  file(@Param('path') path: string | string[], @Req() req: Request, @Res() res: Response): void {
    this.send(Array.isArray(path) ? path.join('/') : path, req, res);
  }

  private send(name: string, req: Request, res: Response): void {
    if (!this.settings.enabled) {
      throw new NotFoundException('the console is turned off (console.enabled: false)');
    }
    if (!this.assets.built) {
      throw new NotFoundException('the console is not built: run npm run build');
    }
    const file = this.assets.get(name);
    if (!file) throw new NotFoundException(`no such console file: ${name}`);
    res.set(SECURITY_HEADERS);
    res.set('Content-Type', file.type);
    res.set('Cache-Control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    res.vary('Accept-Encoding');
    if (file.gzip && req.acceptsEncodings('gzip') === 'gzip') {
      res.set('Content-Encoding', 'gzip');
      res.send(file.gzip);
    } else {
      res.send(file.body);
    }
  }
}
