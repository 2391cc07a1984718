import { Equals } from 'class-validator';
import { ApproveRequestDto, DenyRequestDto } from '../recovery/approval/recovery-request.dto';

/**
 * The agent's decision forms: the API's own DTOs plus a required confirmation checkbox, the
 * confirmation step that needs no JavaScript (an unticked box is simply not sent).
 */
export class ApproveDecisionForm extends ApproveRequestDto {
  @Equals('yes')
  confirm: string;
}

export class DenyDecisionForm extends DenyRequestDto {
  @Equals('yes')
  confirm: string;
}
