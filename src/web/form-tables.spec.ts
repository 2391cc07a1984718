import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ArgumentsHost } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, DomainErrorCode } from '../common/domain-error';
import { statusForCode } from '../common/domain-error.filter';
import { FormContext, FormErrorTable, FormState, WebFormRefused } from './form-errors';
import { FORM_TABLES } from './form-tables';
import { messages } from './i18n/locale';
import type { WebCookies } from './web-cookies';
import { WebExceptionFilter } from './web-exception.filter';
import type { PageData, WebPages } from './web-pages.service';

/**
 * Every domain code, exhaustively: a code added to DomainErrorCode fails to compile here until it
 * is placed, and then these tests show which page explains it.
 */
const EVERY_CODE: Record<DomainErrorCode, true> = {
  invalid_credentials: true,
  not_authenticated: true,
  forbidden: true,
  not_found: true,
  email_taken: true,
  owner_exists: true,
  invalid_input: true,
  json_too_deep: true,
  rate_limited: true,
  sign_in_busy: true,
  provisioning_disabled: true,
  webhook_disabled: true,
  payload_too_large: true,
  unsupported_media_type: true,
  recipient_not_accepted: true,
  storage_unavailable: true,
  invalid_challenge: true,
  invalid_code: true,
  invalid_enrollment_code: true,
  step_up_failed: true,
  step_up_unavailable: true,
  step_up_required: true,
  two_factor_required: true,
  two_factor_locked: true,
  two_factor_already_active: true,
  two_factor_not_enrolled: true,
  no_pending_enrollment: true,
  request_not_open: true,
  already_approved: true,
  report_link_invalid: true,
  report_link_used: true,
  report_link_expired: true,
};
const CODES = Object.keys(EVERY_CODE) as DomainErrorCode[];

/** What the filter did: a page (which view, which status, which state) or a redirect. */
interface Outcome {
  page?: { view: string; status: number; data: PageData };
  shown?: { on: 'form' | 'start'; status: number; state: FormState };
  redirect?: string;
  challengeCleared?: boolean;
}

/** The filter with a stand-in for the renderer: the code under test is the filter's choice. */
async function filterOutcome(exception: unknown): Promise<Outcome> {
  const outcome: Outcome = {};
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const pages = {
    viewer: async () => ({ locale: 'en', t: messages('en') }),
    render: async (
      _request: Request,
      _response: Response,
      view: string,
      data: PageData,
      status = 200,
    ) => {
      outcome.page = { view, status, data };
      done();
    },
    redirect: (_response: Response, location: string) => {
      outcome.redirect = location;
      done();
    },
  } as unknown as WebPages;
  const cookies = {
    clearChallenge: () => (outcome.challengeCleared = true),
  } as unknown as WebCookies;
  const response = { headersSent: false, setHeader: () => undefined } as unknown as Response;
  const host = {
    switchToHttp: () => ({ getRequest: () => ({ method: 'POST' }), getResponse: () => response }),
  } as unknown as ArgumentsHost;
  if (exception instanceof WebFormRefused) {
    exception.form.show = async (state, status) => {
      outcome.shown = { on: 'form', status, state };
      done();
    };
    exception.form.start = async (state, status) => {
      outcome.shown = { on: 'start', status, state };
      done();
    };
  }
  new WebExceptionFilter(pages, cookies).catch(exception, host);
  await finished;
  return outcome;
}

function formWith(name: string): FormContext<unknown> {
  return {
    table: FORM_TABLES[name] as FormErrorTable<unknown>,
    // what the users' and the agent's tables read of their form
    context: { self: false, currentStatus: async () => 'approved' },
    show: async () => undefined,
  };
}

const entries = Object.entries(FORM_TABLES).flatMap(([form, table]) =>
  Object.keys(table).map((code) => [form, code as DomainErrorCode] as const),
);

describe('the web forms’ error tables', () => {
  it.each(entries)('%s shows %s on the form, with statusForCode’s status', async (form, code) => {
    const outcome = await filterOutcome(new WebFormRefused(new DomainError(code), formWith(form)));
    if (code === 'invalid_challenge') {
      // the one code a form answers with a redirect: the sign-in starts over
      expect(outcome).toEqual({ redirect: '/login?expired=1', challengeCleared: true });
      return;
    }
    expect(outcome.shown?.status).toBe(statusForCode(code));
    expect(outcome.page).toBeUndefined();
  });

  it.each(CODES)(
    '%s on a form whose table does not name it: the documented default',
    async (code) => {
      const unnamed = Object.keys(FORM_TABLES).find(
        (form) => FORM_TABLES[form][code] === undefined,
      );
      const outcome = await filterOutcome(
        new WebFormRefused(new DomainError(code), formWith(unnamed as string)),
      );
      expect(outcome.shown).toBeUndefined();
      if (code === 'not_authenticated') {
        // a session that ended while the form was open: sign in again
        expect(outcome.redirect).toBe('/login');
        return;
      }
      expect(outcome.page?.view).toBe('error');
      expect(outcome.page?.status).toBe(statusForCode(code));
    },
  );

  it('names only codes that exist, each with words or a redirect', () => {
    for (const table of Object.values(FORM_TABLES)) {
      for (const code of Object.keys(table)) expect(CODES).toContain(code);
    }
  });

  it('leaves statuses of refusals to statusForCode: no controller writes 401, 403, 409 or 429', () => {
    const controllers = readdirSync(__dirname).filter((file) => file.endsWith('.controller.ts'));
    expect(controllers.length).toBeGreaterThan(4);
    for (const file of controllers) {
      const source = readFileSync(path.join(__dirname, file), 'utf8');
      expect({ file, statuses: source.match(/\b(401|403|409|429)\b/g) }).toEqual({
        file,
        statuses: null,
      });
      expect({ file, catches: source.match(/\bcatch\b/g) }).toEqual({ file, catches: null });
    }
  });
});
