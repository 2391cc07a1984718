import { hasStandaloneDigits } from '../helpers/assertions';
import { dkimSigned, sendSmtp, uniqueMessageId, waitForFinal } from '../helpers/inbound-mail';
import {
  Clinic,
  makeClinic,
  makeMember,
  RecoveryWorld,
  requestRow,
  startRecoveryWorld,
} from '../helpers/recovery';
import {
  evidenceInNewText,
  evidenceOnlyQuoted,
  fillReply,
  NEW_TEXT_MARKER,
  QUOTED_TEXT_MARKER,
  replyFixtures,
  type ReplyTexts,
} from '../helpers/reply-fixtures';

/**
 * The reply corpus (test/fixtures/replies: Gmail, Outlook desktop/web/2003/2010/iOS, Apple Mail,
 * iOS and Android mail, Thunderbird top-, bottom- and inline-posted, Windows Mail, Yahoo, AOL,
 * Yandex, mail.ru, in ten languages) end to end: each message as the client writes it, DKIM-signed
 * over real SMTP into the real pipeline (PostgreSQL, Redis), twice — the card's last 4 and the
 * holder's name only inside the quoted earlier message (→ `no_evidence`), then the last 4 in what
 * the sender wrote now, wherever that client puts it (→ `awaiting_approval`, and the agents'
 * excerpt shows that text). A multipart/alternative message is also sent with its HTML part
 * alone, as a client that writes only HTML would, so the HTML path is crossed end to end too.
 * One fresh member per message, so no request limit interferes.
 */

/** The message with only its text/html alternative, or null when it is not multipart/alternative. */
function htmlOnly(template: string): string | null {
  const headerEnd = template.indexOf('\n\n');
  const header = template.slice(0, headerEnd);
  const boundary = /content-type:\s*multipart\/alternative;[\s\S]*?boundary="?([^";\n]+)"?/i.exec(
    header,
  );
  if (boundary === null) return null;
  const part = template
    .slice(headerEnd)
    .split(`--${boundary[1]}`)
    .map((chunk) => chunk.replace(/^\r?\n/, ''))
    .find((chunk) => /^content-type:\s*text\/html/im.test(chunk.slice(0, chunk.indexOf('\n\n'))));
  if (part === undefined) return null;
  const topHeaders: string[] = [];
  let skipping = false;
  for (const line of header.split('\n')) {
    if (/^\s/.test(line) && skipping) continue;
    skipping = /^content-type:/i.test(line);
    if (!skipping) topHeaders.push(line);
  }
  return `${topHeaders.join('\n')}\n${part}`;
}

interface Case {
  name: string;
  template: string;
}

const cases: Case[] = replyFixtures().flatMap((fixture) => {
  const html = htmlOnly(fixture.template);
  return html === null
    ? [fixture]
    : [fixture, { name: `${fixture.name} (HTML part alone)`, template: html }];
});

describe('replies as mail clients write them, end to end', () => {
  let world: RecoveryWorld;
  let clinic: Clinic;

  beforeAll(async () => {
    world = await startRecoveryWorld();
    clinic = await makeClinic(world);
  });
  afterAll(async () => {
    await world.close();
  });

  async function send(template: string, texts: ReplyTexts) {
    const member = await makeMember(world, clinic);
    const raw = fillReply(template, {
      ...texts,
      from: member.email,
      messageId: uniqueMessageId(clinic.domain),
    });
    const signed = await dkimSigned(raw, clinic.domain, clinic.key);
    const { id } = await sendSmtp(world.smtpPort, signed, {
      from: member.email,
      to: ['support@recovery-desk.test'],
    });
    const [inbound] = await waitForFinal(world.t.dataSource, [id]);
    expect(inbound.state).toBe('processed');
    const [link] = await world.t.dataSource.query<{ id: string }[]>(
      'SELECT id FROM recovery_requests WHERE inbound_message_id = $1',
      [id],
    );
    expect(link).toBeDefined();
    return requestRow(world.t.dataSource, link.id);
  }

  it('sends every client of the corpus, with and without its text part', () => {
    expect(replyFixtures().length).toBeGreaterThanOrEqual(30);
    expect(cases.filter((c) => c.name.endsWith('(HTML part alone)')).length).toBeGreaterThanOrEqual(
      20,
    );
  });

  it.each(cases.map((c) => [c.name, c.template]))(
    '%s: quoted evidence does not count, newly written evidence does',
    async (_name, template) => {
      const quoted = await send(template, evidenceOnlyQuoted(clinic.last4, clinic.holderName));
      expect({ status: quoted.status, reason: quoted.reason }).toEqual({
        status: expect.not.stringMatching(/^awaiting_approval$/),
        reason: 'no_evidence',
      });
      const quotedExcerpt = (quoted.body_excerpt as string | null) ?? '';
      expect(quotedExcerpt).toContain(NEW_TEXT_MARKER);
      expect(quotedExcerpt).not.toContain(QUOTED_TEXT_MARKER);

      const written = await send(template, evidenceInNewText(clinic.last4));
      expect({ status: written.status, reason: written.reason }).toEqual({
        status: 'awaiting_approval',
        reason: null,
      });
      const excerpt = (written.body_excerpt as string | null) ?? '';
      expect(excerpt).toContain(NEW_TEXT_MARKER);
      expect(excerpt).not.toContain(QUOTED_TEXT_MARKER);
      expect(hasStandaloneDigits(excerpt, clinic.last4)).toBe(false);
    },
  );
});
