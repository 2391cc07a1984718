import { parseHeaderBlock } from './auto-reply';
import {
  decideDmarc,
  decideUpstream,
  MailauthOutcome,
  TemporaryAuthenticationError,
} from './sender-auth-decision';

type Row = NonNullable<MailauthOutcome['dkim']['results']>[number];

function dkimRow(overrides: Partial<Row['status']> = {}, keys = 'From: To: Subject'): Row {
  return {
    signingDomain: 'bank.test',
    signingHeaders: { keys },
    status: { result: 'pass', aligned: 'bank.test', ...overrides },
  };
}

function outcome(parts: Partial<MailauthOutcome> & { from?: string[] }): MailauthOutcome {
  return {
    dkim: { headerFrom: parts.from ?? ['asa@bank.test'], results: parts.dkim?.results ?? [] },
    spf: parts.spf ?? { domain: 'bank.test', status: { result: 'none' } },
    dmarc: parts.dmarc ?? { status: { result: 'none' } },
  };
}

describe('decideDmarc', () => {
  it('passes on DMARC pass through aligned SPF', () => {
    const result = decideDmarc(
      outcome({
        spf: { domain: 'bank.test', status: { result: 'pass' } },
        dmarc: { status: { result: 'pass' }, alignment: { spf: { result: 'bank.test' } } },
      }),
    );
    expect(result).toMatchObject({ result: 'pass', method: 'dmarc', domain: 'bank.test' });
  });

  it('passes on an aligned full-body DKIM signature that signs From, without DMARC record', () => {
    const result = decideDmarc(outcome({ dkim: { results: [dkimRow()] } }));
    expect(result).toMatchObject({ result: 'pass', method: 'dkim', domain: 'bank.test' });
  });

  it('refuses DMARC pass that rests only on an l= signature with an unsigned tail', () => {
    const result = decideDmarc(
      outcome({
        dkim: { results: [dkimRow({ underSized: 120 })] },
        dmarc: {
          status: { result: 'pass' },
          alignment: { spf: { result: false }, dkim: { result: 'bank.test', underSized: 120 } },
        },
      }),
    );
    expect(result.result).toBe('fail');
    expect(result.detail).toMatch(/120 bytes unsigned/);
  });

  it.each([
    ['not aligned', dkimRow({ aligned: false })],
    ['not signing From', dkimRow({}, 'To: Subject')],
    ['neutral (body changed)', dkimRow({ result: 'neutral', comment: 'body hash did not verify' })],
    ['failing', dkimRow({ result: 'fail' })],
  ])('refuses a DKIM signature %s', (_name, row) => {
    expect(decideDmarc(outcome({ dkim: { results: [row] } })).result).toBe('fail');
  });

  it('fails forged mail: no DKIM, SPF fail, DMARC fail', () => {
    const result = decideDmarc(
      outcome({
        dkim: { results: [{ status: { result: 'none' } }] },
        spf: { domain: 'bank.test', status: { result: 'fail' } },
        dmarc: { status: { result: 'fail' } },
      }),
    );
    expect(result).toMatchObject({ result: 'fail', method: 'dmarc' });
    expect(result.detail).toContain('spf=fail');
  });

  it('needs exactly one From address', () => {
    const two = outcome({ from: ['a@bank.test', 'b@bank.test'], dkim: { results: [dkimRow()] } });
    expect(decideDmarc(two).result).toBe('fail');
    expect(decideDmarc(outcome({ from: [], dkim: { results: [dkimRow()] } })).result).toBe('fail');
  });

  it('turns a DNS temperror into a retry, not a rejection', () => {
    expect(() =>
      decideDmarc(outcome({ dkim: { results: [dkimRow({ result: 'temperror' })] } })),
    ).toThrow(TemporaryAuthenticationError);
    expect(() => decideDmarc(outcome({ dmarc: { status: { result: 'temperror' } } }))).toThrow(
      TemporaryAuthenticationError,
    );
  });

  it('a pass wins over a temperror elsewhere', () => {
    const result = decideDmarc(
      outcome({
        dkim: { results: [dkimRow()] },
        spf: { domain: 'bank.test', status: { result: 'temperror' } },
      }),
    );
    expect(result.result).toBe('pass');
  });
});

describe('decideUpstream', () => {
  const ours = 'mx.trusted.test';
  const from = ['asa@bank.test'];

  it('trusts dmarc=pass in the topmost field from our authserv-id', () => {
    const headers = parseHeaderBlock(
      `Authentication-Results: ${ours}; dmarc=pass header.from=bank.test\r\nFrom: asa@bank.test\r\n`,
    );
    expect(decideUpstream(headers, ours, from)).toMatchObject({
      result: 'pass',
      method: 'upstream',
      domain: 'bank.test',
    });
  });

  it('ignores a forged field below the topmost one claiming our id', () => {
    const headers = parseHeaderBlock(
      `Authentication-Results: ${ours}; dmarc=fail header.from=bank.test\r\n` +
        `Received: from attacker\r\n` +
        `Authentication-Results: ${ours}; dmarc=pass header.from=bank.test\r\n`,
    );
    expect(decideUpstream(headers, ours, from).result).toBe('fail');
  });

  it('ignores fields from other authserv-ids', () => {
    const headers = parseHeaderBlock(
      'Authentication-Results: mx.elsewhere.test; dmarc=pass header.from=bank.test\r\n',
    );
    expect(decideUpstream(headers, ours, from)).toMatchObject({
      result: 'fail',
      detail: `no Authentication-Results from ${ours}`,
    });
  });

  it('refuses a pass for another From domain', () => {
    const headers = parseHeaderBlock(
      `Authentication-Results: ${ours}; dmarc=pass header.from=other.test\r\n`,
    );
    expect(decideUpstream(headers, ours, from).result).toBe('fail');
  });

  it('refuses dkim=pass alone (it cannot tell an l= tail or alignment)', () => {
    const headers = parseHeaderBlock(
      `Authentication-Results: ${ours}; dkim=pass header.d=bank.test; dmarc=none\r\n`,
    );
    expect(decideUpstream(headers, ours, from).result).toBe('fail');
  });

  // Each case: the header block as our MTA hands it over (topmost first), and what must come out.
  // The OpenDMARC rows are the fields Postfix + OpenDKIM + OpenDMARC really write
  // (test/e2e/mta-upstream.e2e-spec.ts); "forged" fields are what a sender can add below them.
  const forgedPass = `Authentication-Results: ${ours}; dmarc=pass header.from=bank.test\r\n`;
  it.each([
    {
      name: 'OpenDMARC with AuthservIDWithJobID: ours, whatever the sender added below',
      block:
        `Authentication-Results: ${ours}/4Q7Ks30Hx2z9vB7; dmarc=fail (p=reject dis=none) header.from=bank.test\r\n` +
        `Authentication-Results: ${ours}/4Q7Ks30Hx2z9vB7; dkim=none; dkim-atps=neutral\r\n` +
        `Received: from client.test by ${ours} (Postfix) with ESMTP id 4Q7Ks30Hx2z9vB7\r\n` +
        forgedPass,
      result: 'fail',
      detail: /dmarc=fail/,
    },
    {
      name: 'OpenDMARC with AuthservIDWithJobID: a pass is a pass',
      block: `Authentication-Results: ${ours}/2846; dmarc=pass (p=reject dis=none) header.from=bank.test\r\n`,
      result: 'pass',
    },
    {
      name: 'the id in another case',
      block: `Authentication-Results: MX.Trusted.TEST; dmarc=fail header.from=bank.test\r\n${forgedPass}`,
      result: 'fail',
      detail: /dmarc=fail/,
    },
    {
      name: 'a quoted authserv-id with a version',
      block: `Authentication-Results: "${ours}" 1; dmarc=fail header.from=bank.test\r\n${forgedPass}`,
      result: 'fail',
      detail: /dmarc=fail/,
    },
    {
      name: 'comments (nested, with a quoted pair) around the id',
      block: `Authentication-Results: (by (our \\) MTA)) ${ours} (id); dmarc=fail header.from=bank.test\r\n${forgedPass}`,
      result: 'fail',
      detail: /dmarc=fail/,
    },
    {
      name: 'a folded field',
      block: `Authentication-Results: ${ours};\r\n\tdmarc=fail\r\n\theader.from=bank.test\r\n${forgedPass}`,
      result: 'fail',
      detail: /dmarc=fail/,
    },
    {
      name: 'a topmost field of ours that cannot be read does not hand over to one further down',
      block: `Authentication-Results: ${ours}; dmarc=fail (unclosed header.from=bank.test\r\n${forgedPass}`,
      result: 'fail',
      detail: /cannot be read/,
    },
    {
      name: 'a field of ours without results (no "; none") is unreadable, not skipped',
      block: `Authentication-Results: ${ours}\r\n${forgedPass}`,
      result: 'fail',
      detail: /cannot be read/,
    },
    {
      name: "an id that only starts with ours is somebody else's",
      block: `Authentication-Results: ${ours}.evil.test; dmarc=pass header.from=bank.test\r\n`,
      result: 'fail',
      detail: /no Authentication-Results/,
    },
    {
      name: "an id with a hyphenated tail is somebody else's",
      block: `Authentication-Results: ${ours}-x; dmarc=pass header.from=bank.test\r\n`,
      result: 'fail',
      detail: /no Authentication-Results/,
    },
    {
      name: 'an empty job id is not ours',
      block: `Authentication-Results: ${ours}/; dmarc=pass header.from=bank.test\r\n`,
      result: 'fail',
      detail: /no Authentication-Results/,
    },
    {
      name: 'a field of another MTA above ours does not hide ours',
      block: `Authentication-Results: mx.other.test; dmarc=fail\r\nAuthentication-Results: ${ours}/77; dmarc=pass header.from=bank.test\r\n`,
      result: 'pass',
    },
    {
      name: 'a quoted header.from is read unquoted',
      block: `Authentication-Results: ${ours}; dmarc=pass header.from="bank.test"\r\n`,
      result: 'pass',
    },
    {
      name: 'a pass for another domain in a quoted value is not a pass for ours',
      block: `Authentication-Results: ${ours}; dmarc=pass header.from="bank.test.evil.test"\r\n`,
      result: 'fail',
    },
    {
      name: 'two dmarc results in our field: both must pass',
      block: `Authentication-Results: ${ours}; dmarc=fail header.from=bank.test; dmarc=pass header.from=bank.test\r\n`,
      result: 'fail',
    },
  ])('$name', ({ block, result, detail }) => {
    const decided = decideUpstream(parseHeaderBlock(block), ours, from);
    expect(decided.result).toBe(result);
    if (detail !== undefined) expect(decided.detail).toMatch(detail);
  });
});
