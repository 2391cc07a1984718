import { AutomaticMailReason, classifyAutomaticMail, parseHeaderBlock } from './auto-reply';

function classify(
  headerBlock: string,
  mailFrom: string | null | undefined = 'person@example.test',
  fromAddresses = ['person@example.test'],
) {
  return classifyAutomaticMail({ headers: parseHeaderBlock(headerBlock), mailFrom, fromAddresses });
}

describe('classifyAutomaticMail', () => {
  const base = 'From: Person <person@example.test>\r\nSubject: help\r\n';

  it.each<[string, string, AutomaticMailReason]>([
    ['Auto-Submitted: auto-replied', 'Auto-Submitted: auto-replied\r\n', 'auto_submitted'],
    ['Auto-Submitted: auto-generated', 'Auto-Submitted: auto-generated\r\n', 'auto_submitted'],
    [
      'Auto-Submitted with a comment',
      'Auto-Submitted: auto-notified (vacation)\r\n',
      'auto_submitted',
    ],
    ['Auto-Submitted: unknown value', 'Auto-Submitted: something-new\r\n', 'auto_submitted'],
    ['Precedence: bulk', 'Precedence: bulk\r\n', 'precedence'],
    ['Precedence: JUNK', 'Precedence: JUNK\r\n', 'precedence'],
    ['Precedence: list', 'Precedence: list\r\n', 'precedence'],
    ['X-Autoreply', 'X-Autoreply: yes\r\n', 'autoreply_header'],
    ['X-Autorespond', 'X-Autorespond: on\r\n', 'autoreply_header'],
    [
      'multipart/report (DSN)',
      'Content-Type: multipart/report; report-type=delivery-status;\r\n boundary="b"\r\n',
      'delivery_report',
    ],
    ['List-Id', 'List-Id: Clinic news <news.example.test>\r\n', 'list_mail'],
    ['List-Unsubscribe', 'List-Unsubscribe: <mailto:leave@example.test>\r\n', 'list_mail'],
    ['Return-Path: <>', 'Return-Path: <>\r\n', 'null_sender'],
  ])('%s → %s', (_name, extra, reason) => {
    expect(classify(base + extra)).toBe(reason);
  });

  it('the null reverse-path is a bounce', () => {
    expect(classify(base, '')).toBe('null_sender');
  });

  it('MAILER-DAEMON in From is a bounce even without an envelope', () => {
    expect(classify(base, undefined, ['MAILER-DAEMON@mx.example.test'])).toBe('mailer_daemon');
  });

  it.each([
    ['plain mail', base],
    ['Auto-Submitted: no', `${base}Auto-Submitted: no\r\n`],
    ['Auto-Submitted: No (explicitly personal)', `${base}Auto-Submitted: No (personal)\r\n`],
    ['Precedence: first-class', `${base}Precedence: first-class\r\n`],
    ['multipart/mixed', `${base}Content-Type: multipart/mixed; boundary="x"\r\n`],
    ['a subject that mentions auto-submitted', 'Subject: Auto-Submitted: auto-replied?\r\n'],
  ])('%s is a person writing', (_name, block) => {
    expect(classify(block)).toBeUndefined();
  });

  it('an unknown envelope is not a null sender', () => {
    expect(classify(base, null)).toBeUndefined();
  });
});

describe('parseHeaderBlock', () => {
  it('unfolds continuation lines and lower-cases names', () => {
    expect(parseHeaderBlock('Subject: one\r\n two\r\nX-A:b\r\n')).toEqual([
      { key: 'subject', value: 'one two' },
      { key: 'x-a', value: 'b' },
    ]);
  });

  it('skips lines that are not fields', () => {
    expect(parseHeaderBlock('garbage line\nA: 1')).toEqual([{ key: 'a', value: '1' }]);
  });
});
