import { escapeHtml } from './mail-format';
import {
  checkMailVars,
  MAIL_TEMPLATES,
  MailLocale,
  MailTemplate,
  MailTemplateVars,
  InvalidMailError,
  renderMail,
} from './mail-templates';

const context = { supportAddress: 'support@recovery-desk.test' };
const HOSTILE = `Åsa <script>alert("x")</script> & 'Öberg'`;
const LINK = 'https://desk.example.test/recovery/cancel?token=abc&id=42';
const REPORT = 'https://desk.example.test/security/report/t0ken';

/** Every variable of every template holds markup, so escaping is checked everywhere. */
const SAMPLES: { [T in MailTemplate]: { vars: MailTemplateVars[T]; link?: string } } = {
  two_factor_enabled: { vars: { name: HOSTILE, reportUrl: REPORT }, link: REPORT },
  two_factor_reset_by_admin: {
    vars: {
      name: HOSTILE,
      adminName: `Admin <img src=x onerror=alert(1)>`,
      resetAt: '2025-11-24T14:05:00.000Z',
      signInUrl: LINK,
      reportUrl: REPORT,
    },
    link: LINK,
  },
  recovery_received: {
    vars: { name: HOSTILE, cancelUrl: LINK, expiresAt: '2025-12-01T09:30:00Z', reportUrl: REPORT },
    link: LINK,
  },
  recovery_more_info: { vars: { name: HOSTILE } },
  recovery_no_second_factor: { vars: { name: HOSTILE, signInUrl: LINK }, link: LINK },
  recovery_approved: {
    vars: { name: HOSTILE, signInUrl: LINK, reportUrl: REPORT },
    link: LINK,
  },
  recovery_denied: { vars: { name: HOSTILE, reason: `Not enough <b>proof</b>\nTry again` } },
  recovery_org_notice: {
    vars: {
      recipientName: HOSTILE,
      memberName: `Bo <i>Ek</i>`,
      memberEmail: 'bo.ek@example.test',
      requestedAt: '2025-06-10T08:00:00Z',
      requestsUrl: LINK,
    },
    link: LINK,
  },
  security_reported_notice: {
    vars: {
      recipientName: HOSTILE,
      memberName: `Bo <i>Ek</i>`,
      memberEmail: 'bo.ek@example.test',
      reportedAt: '2025-06-10T08:00:00Z',
      frozenUntil: '2025-06-17T08:00:00Z',
      requestsUrl: LINK,
    },
    link: LINK,
  },
  recovery_frozen_notice: {
    vars: {
      recipientName: HOSTILE,
      memberName: `Bo <i>Ek</i>`,
      memberEmail: 'bo.ek@example.test',
      attemptedAt: '2025-06-11T08:00:00Z',
      frozenUntil: '2025-06-17T08:00:00Z',
      requestsUrl: LINK,
    },
    link: LINK,
  },
};

/** The mails about a change to the holder's own sign-in carry the "this wasn't me" link. */
const ABOUT_OWN_SIGN_IN: MailTemplate[] = [
  'two_factor_enabled',
  'two_factor_reset_by_admin',
  'recovery_received',
  'recovery_approved',
];

const LOCALES: MailLocale[] = ['sv', 'en'];
const cases = MAIL_TEMPLATES.flatMap((template) =>
  LOCALES.map((locale) => [template, locale] as const),
);

describe('mail templates', () => {
  it('has a sample for every template', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...MAIL_TEMPLATES].sort());
    expect(MAIL_TEMPLATES).toHaveLength(10);
  });

  it.each(cases)(
    '%s in %s has the report link exactly when it is about own sign-in',
    (template, locale) => {
      const mail = renderMail(template, locale, SAMPLES[template].vars, context);
      const expected = ABOUT_OWN_SIGN_IN.includes(template);
      expect(mail.html.includes(`href="${REPORT}"`)).toBe(expected);
      expect(mail.text.includes(REPORT)).toBe(expected);
    },
  );

  it.each(cases)('%s renders in %s with every variable escaped', (template, locale) => {
    const sample = SAMPLES[template];
    const mail = renderMail(template, locale, sample.vars, context);

    expect(mail.subject.length).toBeGreaterThan(10);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.html).toContain(`<html lang="${locale}">`);
    for (const value of Object.values(sample.vars as Record<string, string>)) {
      if (/^\d{4}-\d\d-\d\dT/.test(value)) continue; // dates are formatted, checked below
      for (const line of value.split('\n')) {
        // plain text carries the value as written; HTML only in its escaped form
        expect(mail.text).toContain(line);
        if (/[<>&"']/.test(line)) expect(mail.html).not.toContain(line);
        expect(mail.html).toContain(escapeHtml(line));
      }
    }
    expect(mail.html).not.toMatch(/<script|<img|<b>|<i>/);
    expect(mail.text).not.toMatch(/<p|<a |<br/);
  });

  it.each(cases)('%s in %s includes its link when it has one', (template, locale) => {
    const { vars, link } = SAMPLES[template];
    const mail = renderMail(template, locale, vars, context);
    if (link === undefined) {
      expect(mail.html).not.toContain('<a ');
      return;
    }
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(`href="${escapeHtml(link)}"`);
  });

  it.each(MAIL_TEMPLATES)('%s says the same thing in two different languages', (template) => {
    const sv = renderMail(template, 'sv', SAMPLES[template].vars, context);
    const en = renderMail(template, 'en', SAMPLES[template].vars, context);
    expect(sv.subject).not.toEqual(en.subject);
    expect(sv.subject).toMatch(/tvåfaktorsautentisering/i);
    expect(en.subject).toMatch(/two-factor authentication/i);
    expect(sv.text).toMatch(/Vänliga hälsningar/);
    expect(en.text).toMatch(/Kind regards/);
  });

  it('formats moments in the reader language, in Swedish time with the zone named', () => {
    const vars = SAMPLES.two_factor_reset_by_admin.vars;
    expect(renderMail('two_factor_reset_by_admin', 'sv', vars, context).text).toContain(
      'den 24 november 2025 kl. 15:05 CET',
    );
    expect(renderMail('two_factor_reset_by_admin', 'en', vars, context).text).toContain(
      '24 November 2025 at 15:05 CET',
    );
  });

  it('asks for more information without naming any check, billing value or reason', () => {
    for (const locale of LOCALES) {
      const withName = renderMail('recovery_more_info', locale, { name: 'Kim' }, context);
      const anonymous = renderMail('recovery_more_info', locale, {}, context);
      expect(anonymous.text).toMatch(locale === 'sv' ? /^Hej!/ : /^Hello,/);
      // the only variable part is the greeting: the body is the same for every rejection reason
      expect(withName.text.split('\n').slice(1)).toEqual(anonymous.text.split('\n').slice(1));
      expect(anonymous.text).not.toMatch(/mismatch|wrong|incorrect|felaktig|stämmer inte/i);
      expect(anonymous.text).toContain(context.supportAddress);
    }
  });

  it('keeps only declared variables, so nothing else is stored', () => {
    const checked = checkMailVars('recovery_approved', {
      name: 'Kim',
      signInUrl: LINK,
      reportUrl: REPORT,
      last4: '4242',
      token: 'secret',
    });
    expect(checked).toEqual({ name: 'Kim', signInUrl: LINK, reportUrl: REPORT });
  });

  it.each([
    ['missing variable', 'recovery_approved', { name: 'Kim' }],
    ['empty variable', 'two_factor_enabled', { name: '  ', reportUrl: REPORT }],
    ['javascript: link', 'recovery_approved', { name: 'Kim', signInUrl: 'javascript:alert(1)' }],
    [
      'bad date',
      'recovery_received',
      { name: 'Kim', cancelUrl: LINK, expiresAt: 'next tuesday', reportUrl: REPORT },
    ],
    [
      'bad e-mail',
      'recovery_org_notice',
      {
        recipientName: 'A',
        memberName: 'B',
        memberEmail: 'nope',
        requestedAt: '2025-01-01',
        requestsUrl: LINK,
      },
    ],
    ['too long', 'two_factor_enabled', { name: 'x'.repeat(201), reportUrl: REPORT }],
    ['missing report link', 'two_factor_enabled', { name: 'Kim' }],
    ['unknown template', 'password_reset', { name: 'Kim' }],
  ])('refuses a %s', (_label, template, vars) => {
    expect(() => checkMailVars(template as MailTemplate, vars)).toThrow(InvalidMailError);
  });

  it('never puts a value in its error message', () => {
    expect(() =>
      checkMailVars('recovery_received', {
        name: 'Kim',
        cancelUrl: 'ftp://secret-token-123',
        expiresAt: '2025-01-01',
        reportUrl: REPORT,
      }),
    ).toThrow(/^recovery_received: "cancelUrl" must be an http\(s\) URL$/);
  });
});
