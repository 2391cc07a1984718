import { parseHeaderBlock } from './auto-reply';
import {
  decideDmarc,
  decideUpstream,
  MailauthOutcome,
  parseAuthenticationResults,
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

describe('parseAuthenticationResults', () => {
  it('reads the authserv-id, methods, results and properties, ignoring comments', () => {
    expect(
      parseAuthenticationResults(
        'mx.trusted.test 1; dkim=pass (good signature) header.d=bank.test;\r\n spf=fail smtp.mailfrom=x@y.test; dmarc=pass header.from=bank.test',
      ),
    ).toEqual({
      authservId: 'mx.trusted.test',
      results: [
        { method: 'dkim', result: 'pass', properties: { 'header.d': 'bank.test' } },
        { method: 'spf', result: 'fail', properties: { 'smtp.mailfrom': 'x@y.test' } },
        { method: 'dmarc', result: 'pass', properties: { 'header.from': 'bank.test' } },
      ],
    });
  });

  it('reads "none"', () => {
    expect(parseAuthenticationResults('mx.trusted.test; none')?.results).toEqual([
      { method: 'none', result: '', properties: {} },
    ]);
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
});
