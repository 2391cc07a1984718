import { Controller, Get, HttpCode, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConsumes,
  ApiHeader,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { INBOUND_SCHEME } from '../../common/api-docs';
import { ApiErrors } from '../../common/api-errors';
import { Public, Roles } from '../../common/auth.decorators';
import { DomainError } from '../../common/domain-error';
import { AppConfigService } from '../../config/app-config.service';
import { readBounded } from './bounded-body';
import { InboundMessageStore } from './inbound-message-store.service';
import { InboundMessagesQueryDto } from './inbound-messages.dto';
import { InboundMessagesService } from './inbound-messages.service';
import { InboundTokenGuard } from './inbound-token.guard';
import { SupportRecipients } from './support-recipients';
import { webhookEnvelope } from './webhook-envelope';

@ApiTags('inbound mail')
@Controller('api/inbound/messages')
export class InboundMessagesController {
  private readonly recipients: SupportRecipients;

  constructor(
    private readonly store: InboundMessageStore,
    private readonly messages: InboundMessagesService,
    private readonly config: AppConfigService,
  ) {
    this.recipients = new SupportRecipients(config.get('supportAddresses'));
  }

  /**
   * The webhook for an MTA or mail provider: the raw message as the body. The body is read here
   * from the request stream (the JSON and form parsers leave message/rfc822 alone), never past
   * MAX_MESSAGE_BYTES; 202 only once the message is committed.
   */
  @Public()
  @UseGuards(InboundTokenGuard)
  @ApiErrors(400, 401, 404, 413, 415)
  @Post()
  @HttpCode(202)
  @ApiBearerAuth(INBOUND_SCHEME)
  @ApiConsumes('message/rfc822')
  @ApiHeader({ name: 'X-Envelope-From', required: false })
  @ApiHeader({ name: 'X-Envelope-To', required: false })
  @ApiHeader({ name: 'X-Client-Ip', required: false })
  @ApiHeader({ name: 'X-Client-Helo', required: false })
  @ApiOperation({
    summary: 'Submit one received message (raw RFC 5322 bytes)',
    description:
      'A recipient in X-Envelope-To outside SUPPORT_ADDRESSES (compared case-insensitively, as ' +
      'SMTP does) is refused with 400 recipient_not_accepted; nothing is stored.',
  })
  @ApiResponse({ status: 202, description: 'stored durably: { id }' })
  async receive(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ id: string }> {
    const envelope = webhookEnvelope(request.headers);
    // the same rule as SMTP's RCPT TO (550 there): mail for anyone else is not ours to store
    if (this.recipients.refused(envelope.rcptTo).length > 0) {
      throw new DomainError(
        'recipient_not_accepted',
        'X-Envelope-To names an address this service does not receive mail for',
      );
    }
    if (!request.is('message/rfc822')) {
      throw new DomainError('unsupported_media_type', 'Content-Type must be message/rfc822');
    }
    const limit = this.config.get('maxMessageBytes');
    const declared = Number(request.headers['content-length'] ?? NaN);
    const raw = declared > limit ? null : await readBounded(request, limit, false);
    if (raw === null) {
      // the rest of the body is not read: close the connection instead of draining it
      response.setHeader('Connection', 'close');
      throw new DomainError('payload_too_large', `The message exceeds ${limit} bytes`);
    }
    if (raw.length === 0) throw new DomainError('invalid_input', 'The message is empty');
    const id = await this.store.store({ source: 'webhook', ...envelope, raw });
    return { id };
  }

  /** Every received message with its processing state, newest first (support agents). */
  @Roles('agent')
  @ApiBearerAuth()
  @ApiErrors(400, 401, 403)
  @Get()
  list(@Query() query: InboundMessagesQueryDto) {
    return this.messages.list(query.status, query.page);
  }
}
