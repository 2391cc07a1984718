import {
  applyDecorators,
  CanActivate,
  Controller,
  HttpStatus,
  ParseUUIDPipe,
  Type,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../common/auth.decorators';
import { WebExceptionFilter } from './web-exception.filter';

/**
 * A controller of HTML pages: out of the API's reference, past the API's bearer guard (`guards`
 * check the page's own session and CSRF token), every failure an HTML page (WebExceptionFilter).
 */
export function WebController(path: string, ...guards: Type<CanActivate>[]) {
  return applyDecorators(
    ApiExcludeController(),
    Public(),
    path === '' ? Controller() : Controller(path),
    UseFilters(WebExceptionFilter),
    ...(guards.length === 0 ? [] : [UseGuards(...guards)]),
  );
}

/** A malformed id in a page's URL names nothing: the 404 page, as for an unknown id. */
export const PAGE_ID = new ParseUUIDPipe({ errorHttpStatusCode: HttpStatus.NOT_FOUND });
