import { Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  hashCancelToken,
  RecoveryDecisionService,
} from '../recovery/approval/recovery-decision.service';
import type { RequestStatus } from '../recovery/approval/recovery-request.entity';
import { RecoveryRequestRepository } from '../recovery/approval/recovery-request.repository';
import { submitForm } from './form-errors';
import { CANCEL_ERRORS } from './form-tables';
import { WebController } from './web-controller';
import { CsrfGuard } from './web-csrf';
import { WebPages } from './web-pages.service';

/** The states a request can still be cancelled from (RecoveryDecisionService.cancel). */
const CANCELLABLE = ['awaiting_approval', 'approved'] as const;

function isCancellable(status: RequestStatus): status is (typeof CANCELLABLE)[number] {
  return (CANCELLABLE as readonly RequestStatus[]).includes(status);
}

/**
 * The page behind the cancel link of the "recovery request received" mail. The GET only shows
 * what would be cancelled (mail scanners and link previews open links: a GET must never change
 * anything); the one button POSTs, and RecoveryDecisionService.cancelWithToken does the rest.
 */
@WebController('recovery', CsrfGuard)
export class CancelPageController {
  constructor(
    private readonly pages: WebPages,
    private readonly decisions: RecoveryDecisionService,
    private readonly requests: RecoveryRequestRepository,
  ) {}

  @Get('cancel/:token')
  async show(
    @Req() request: Request,
    @Res() response: Response,
    @Param('token') token: string,
  ): Promise<void> {
    await this.renderCancel(request, response, token);
  }

  @Post('cancel/:token')
  async cancel(
    @Req() request: Request,
    @Res() response: Response,
    @Param('token') token: string,
  ): Promise<void> {
    await submitForm(() => this.decisions.cancelWithToken(token), {
      table: CANCEL_ERRORS,
      context: undefined,
      show: (_state, status) => this.renderCancel(request, response, token, status),
    });
    this.pages.redirect(response, '/recovery/cancelled');
  }

  @Get('cancelled')
  async cancelled(@Req() request: Request, @Res() response: Response): Promise<void> {
    const { t } = await this.pages.viewer(request);
    await this.pages.render(request, response, 'cancelled', { title: t.cancel.doneTitle });
  }

  private async renderCancel(
    request: Request,
    response: Response,
    token: string,
    failedStatus?: number,
  ): Promise<void> {
    const { t } = await this.pages.viewer(request);
    // the same look-up as cancelWithToken: the SHA-256 of the token, never the token itself
    const found =
      token.length > 200 ? null : await this.requests.findByCancelTokenHash(hashCancelToken(token));
    if (found === null) {
      const data = { title: t.cancel.title, formError: t.cancel.notFound };
      return this.pages.render(request, response, 'cancel', data, 404);
    }
    const open = isCancellable(found.status);
    await this.pages.render(
      request,
      response,
      'cancel',
      {
        // one state per status: either the cancel button, or what became of the request
        title: open ? t.cancel.title : t.cancel.closedTitle,
        request: {
          sender: found.sender,
          receivedAt: found.receivedAt.toISOString(),
          status: found.status,
          open,
        },
        action: `/recovery/cancel/${encodeURIComponent(token)}`,
      },
      failedStatus ?? 200,
    );
  }
}
