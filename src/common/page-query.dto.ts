import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Items per page of every paged list. */
export const PAGE_SIZE = 50;
/** Highest page number accepted (a larger one is a 400, not a huge OFFSET). */
export const MAX_PAGE = 100_000;

/** `?page=` of every paged list (pages of PAGE_SIZE, 1-based). List query DTOs extend it. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  page: number = 1;
}
