import { readableCardNumbers as readableCards } from '../helpers/assertions';
import { bearer } from '../helpers/two-factor';
import {
  Clinic,
  makeAgent,
  makeClinic,
  makeMember,
  RecoveryWorld,
  requestRow,
  sendRecoveryMail,
  startRecoveryWorld,
} from '../helpers/recovery';

/**
 * Evidence a hostile sender shapes, end to end over real SMTP: lists of names prove nothing, what
 * agents read does not tell which name is the holder's, and a card number reaches no agent however
 * it is written.
 */

const FIRST = ['Elin', 'Per', 'Anna', 'Lars', 'Karin', 'Olof', 'Maja', 'Nils', 'Sofia', 'Johan'];
const LAST = ['Karlsson', 'Persson', 'Berg', 'Lindqvist', 'Ek', 'Nyström', 'Åkesson', 'Holm'];
const LAST_MORE = ['Sjöberg', 'Wallin', 'Björk', 'Fors', 'Dahl', 'Lund', 'Ström', 'Hägg'];

/** `count` distinct names, the clinic's holder "Åsa Öberg" at position `at`. */
function nameList(count: number, at: number): string[] {
  const names: string[] = [];
  for (let i = 0; names.length < count - 1; i++) {
    const last = [...LAST, ...LAST_MORE][Math.floor(i / FIRST.length) % 16];
    names.push(`${FIRST[i % FIRST.length]} ${last}${i >= 160 ? `-${LAST[i % 8]}` : ''}`);
  }
  names.splice(at, 0, 'Åsa Öberg');
  return names;
}

describe('evidence hardening: lists of names, what agents read, card numbers', () => {
  let world: RecoveryWorld;
  let clinic: Clinic;
  let otherClinic: Clinic;
  let agent: { id: string; token: string };

  beforeAll(async () => {
    world = await startRecoveryWorld();
    clinic = await makeClinic(world);
    // the same list sent to an organization whose holder is not on it
    otherClinic = await makeClinic(world);
    await world.t.dataSource.query(
      `UPDATE billing_records SET holder_name = 'Zebulon Quartermaine' WHERE organization_id = $1`,
      [otherClinic.organizationId],
    );
    agent = await makeAgent(world);
  });
  afterAll(async () => {
    await world.close();
  });

  const get = (path: string) => world.t.http.get(path).set(...bearer(agent.token));

  async function send(to: Clinic, body: string, subject?: string) {
    const member = await makeMember(world, to);
    const sent = await sendRecoveryMail(world, to, member.email, body, { subject });
    expect(sent.state).toBe('processed');
    const row = await requestRow(world.t.dataSource, sent.requestId as string);
    return { member, id: sent.requestId as string, status: row.status, reason: row.reason };
  }

  it.each([
    ['15 names, one a line', nameList(15, 9).join('\n')],
    ['200 names in a sentence', `The card holder is one of ${nameList(200, 137).join(', ')}.`],
    ['20 names, lower case, semicolons', nameList(20, 3).join('; ').toLowerCase()],
  ])('a list of %s with the holder among them is ambiguous_evidence', async (_label, list) => {
    const sent = await send(clinic, `Hi, I lost my phone.\n\n${list}\n\nThanks`);
    expect(sent).toMatchObject({ status: 'rejected', reason: 'ambiguous_evidence' });
    const detail = await get(`/api/recovery/requests/${sent.id}`).expect(200);
    expect(detail.body.checks.factors.holderName).toBe('not_matched');
  });

  it('an ordinary letter with the holder, a signature, the clinic, a colleague and a city matches', async () => {
    const letter = [
      'Hej!',
      '',
      'Jag har tappat min telefon och kommer inte in. Kortet står på Åsa Öberg. Min kollega',
      'Anna Berg på kliniken i Uppsala kan intyga att det är jag.',
      '',
      'Vänliga hälsningar',
      'Per Persson',
      'Leg. fysioterapeut, Öberg Fysio AB',
      'Storgatan 12, 753 20 Uppsala',
    ].join('\n');
    const sent = await send(clinic, letter);
    expect(sent).toMatchObject({ status: 'awaiting_approval', reason: null });
    const detail = await get(`/api/recovery/requests/${sent.id}`).expect(200);
    expect(detail.body.checks.factors).toMatchObject({ holderName: 'matched' });
    expect(detail.body.bodyExcerpt).toContain('tappat min telefon');
    expect(detail.body.bodyExcerpt).not.toContain('Öberg');
  });

  it.each([
    ['6 names, comma-separated', nameList(6, 2).join(', ')],
    ['15 names, one a line', nameList(15, 11).join('\n')],
  ])('the excerpt of %s is the same whether the holder is on it or not', async (_label, list) => {
    const body = `Hej, kortet står på en av dessa:\n${list}\nTack!`;
    const holderOnList = await send(clinic, body);
    const holderElsewhere = await send(otherClinic, body);
    const excerpt = async (id: string) =>
      (await get(`/api/recovery/requests/${id}`).expect(200)).body.bodyExcerpt as string;
    const [onList, elsewhere] = [await excerpt(holderOnList.id), await excerpt(holderElsewhere.id)];
    expect(onList).toBe(elsewhere);
    expect(onList).not.toMatch(/Öberg|Karlsson|Persson/);
  });

  it('a card number with dots, en dashes or fullwidth digits reaches no agent, in the body or the subject', async () => {
    const cards = [
      '4242.4242.4242.4242',
      '5555–5555–5555–4444',
      '４０００ ０５６６ ５５６６ ５５５６',
      '٤١١١ ١١١١ ١١١١ ١١١١',
      '3782\u00a0822463\u200910005',
    ];
    const subject = `Kort ${cards[1]} / ${cards[2]} / ${cards[0]}`;
    const body = `Hej! Mina kort:\n${cards.join('\n')}\nKortet slutar på ${clinic.last4}.`;
    const sent = await send(clinic, body, subject);
    const detail = await get(`/api/recovery/requests/${sent.id}`).expect(200);
    expect(detail.body.bodyExcerpt).toContain('Mina kort');
    expect(detail.body.subject).toMatch(/^Kort /);
    expect(readableCards(detail.body.bodyExcerpt as string)).toEqual([]);
    expect(readableCards(detail.body.subject as string)).toEqual([]);
    expect(readableCards(JSON.stringify(detail.body))).toEqual([]);

    const list = await get(
      `/api/recovery/requests?sender=${encodeURIComponent(sent.member.email)}`,
    ).expect(200);
    expect(list.body.items.map((item: { id: string }) => item.id)).toEqual([sent.id]);
    expect(readableCards(JSON.stringify(list.body))).toEqual([]);
    // the oracle does find the cards as sent
    expect(readableCards(`${subject}\n${body}`).length).toBeGreaterThanOrEqual(cards.length);
  });
});
