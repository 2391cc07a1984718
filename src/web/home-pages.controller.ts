import { Get, Header, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { SessionService } from '../accounts/session.service';
import { SESSION_COOKIE } from '../sign-in/auth.guard';
import { FAVICON, STYLESHEET } from './static/stylesheet';
import { cookie } from './web-cookies';
import { WebController } from './web-controller';
import { WebPages } from './web-pages.service';

/** `/` sends each person where they work; and the stylesheet, as a file from this origin. */
@WebController('')
export class HomePagesController {
  constructor(
    private readonly pages: WebPages,
    private readonly sessions: SessionService,
  ) {}

  @Get()
  async home(@Req() request: Request, @Res() response: Response): Promise<void> {
    const token = cookie(request, SESSION_COOKIE);
    const user = token === undefined ? undefined : await this.sessions.resolve(token);
    const target =
      user === undefined ? '/login' : user.role === 'agent' ? '/agent/requests' : '/settings';
    this.pages.redirect(response, target);
  }

  @Get('static/app.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  // the link carries a content hash (?v=…): a new stylesheet has a new URL
  @Header('Cache-Control', 'public, max-age=31536000, immutable')
  stylesheet(): string {
    return STYLESHEET;
  }

  @Get('favicon.ico')
  @Header('Content-Type', 'image/svg+xml')
  @Header('Cache-Control', 'public, max-age=86400')
  favicon(): string {
    return FAVICON;
  }
}
