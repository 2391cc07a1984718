import {
  Clinic,
  makeClinic,
  makeMember,
  RecoveryWorld,
  requestRow,
  sendRecoveryMail,
  startRecoveryWorld,
} from '../helpers/recovery';

/**
 * Text a person would not see is not evidence, end to end: the same card digits, hidden in four
 * different ways, leave the request `no_evidence`; shown plainly, the same message awaits approval.
 * Real SMTP in (DKIM-signed), real PostgreSQL and Redis; one fresh member per message.
 */

interface Variant {
  body: string;
  options: { html?: boolean; contentType?: string };
}

const html = (markup: string): Variant => ({
  body: `<html><body><p>I lost my phone.</p>${markup}</body></html>`,
  options: { html: true },
});

/** A text body, and beside it an inline text/plain part whose headers are `partHeaders`. */
const withInlinePart = (partHeaders: string, last4: string): Variant => ({
  body: [
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'I lost my phone.',
    '--b1',
    partHeaders,
    '',
    `Card ${last4}`,
    '--b1--',
  ].join('\r\n'),
  options: { contentType: 'multipart/mixed; boundary="b1"' },
});

const cases: Array<[string, (last4: string) => Variant, (last4: string) => Variant]> = [
  [
    'text coloured like an ancestor background',
    (l) =>
      html(
        `<div style="background:#0b3d91"><p><span style="color:#0c3e92">Card ${l}</span></p></div>`,
      ),
    (l) =>
      html(
        `<div style="background:#0b3d91"><p><span style="color:#ffffff">Card ${l}</span></p></div>`,
      ),
  ],
  [
    'an attribute selector in a <style> block',
    (l) => html(`<style>p[data-note="x"] { display: none }</style><p data-note="x">Card ${l}</p>`),
    (l) => html(`<style>p[data-note="x"] { display: none }</style><p data-note="y">Card ${l}</p>`),
  ],
  [
    'near-zero opacity, multiplied down the tree',
    (l) => html(`<div style="opacity:0.25"><p style="opacity:0.2">Card ${l}</p></div>`),
    (l) => html(`<div style="opacity:0.9"><p style="opacity:0.9">Card ${l}</p></div>`),
  ],
  [
    'an inline text part with a file name',
    (l) =>
      withInlinePart(
        'Content-Type: text/plain; charset=utf-8\r\nContent-Disposition: inline; filename="card.txt"',
        l,
      ),
    (l) =>
      withInlinePart('Content-Type: text/plain; charset=utf-8\r\nContent-Disposition: inline', l),
  ],
  [
    'transform: scale(0) via a class',
    (l) => html(`<style>.s { transform: scale(0) }</style><p class="s">Card ${l}</p>`),
    (l) => html(`<style>.s { transform: scale(1) }</style><p class="s">Card ${l}</p>`),
  ],
];

describe('hidden content is not evidence (over real SMTP)', () => {
  let world: RecoveryWorld;
  let clinic: Clinic;

  beforeAll(async () => {
    world = await startRecoveryWorld();
    clinic = await makeClinic(world);
  });
  afterAll(async () => {
    await world.close();
  });

  async function outcome(variant: Variant) {
    const member = await makeMember(world, clinic);
    const sent = await sendRecoveryMail(world, clinic, member.email, variant.body, variant.options);
    expect(sent.state).toBe('processed');
    const row = await requestRow(world.t.dataSource, sent.requestId as string);
    return { status: row.status, reason: row.reason };
  }

  it.each(cases)(
    '%s: hidden → no_evidence, shown → awaiting_approval',
    async (_label, hide, show) => {
      expect(await outcome(hide(clinic.last4))).toEqual({
        status: 'rejected',
        reason: 'no_evidence',
      });
      expect(await outcome(show(clinic.last4))).toEqual({
        status: 'awaiting_approval',
        reason: null,
      });
    },
  );
});
