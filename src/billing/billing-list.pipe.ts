import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { BillingItemDto, MAX_BILLING_ITEMS, validatePlain } from './provisioning.dto';

/**
 * The body of PUT …/billing: a JSON array of billing items, each validated like the nested items
 * of POST …/organizations. Written out rather than ParseArrayPipe, which would also accept items
 * given as JSON-encoded strings — a wrong type we refuse.
 */
@Injectable()
export class BillingListPipe implements PipeTransform<unknown, BillingItemDto[]> {
  transform(value: unknown): BillingItemDto[] {
    if (!Array.isArray(value)) {
      throw new BadRequestException({
        message: ['the body must be a JSON array of billing items'],
      });
    }
    if (value.length > MAX_BILLING_ITEMS) {
      throw new BadRequestException({ message: [`at most ${MAX_BILLING_ITEMS} billing items`] });
    }
    const problems: string[] = [];
    const items = value.map((plain: unknown, index) => {
      if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
        problems.push(`[${index}] must be an object`);
        return undefined;
      }
      const result = validatePlain(BillingItemDto, plain as Record<string, unknown>);
      problems.push(...result.problems.map((problem) => `[${index}] ${problem}`));
      return result.value;
    });
    if (problems.length > 0) throw new BadRequestException({ message: problems });
    return items as BillingItemDto[];
  }
}
