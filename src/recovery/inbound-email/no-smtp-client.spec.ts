import { withoutSpf } from './no-smtp-client';
import { decideDmarc, MailauthOutcome } from './sender-auth-decision';

const spfOnly: MailauthOutcome = {
  dkim: { headerFrom: ['asa@bank.test'], results: [] },
  spf: { domain: 'bank.test', status: { result: 'pass' } },
  dmarc: { status: { result: 'pass' }, alignment: { spf: { result: 'bank.test' } } },
};

const alignedDkim: MailauthOutcome = {
  dkim: {
    headerFrom: ['asa@bank.test'],
    results: [
      {
        signingDomain: 'bank.test',
        signingHeaders: { keys: 'From: To: Subject' },
        status: { result: 'pass', aligned: 'bank.test' },
      },
    ],
  },
  spf: { domain: 'bank.test', status: { result: 'temperror' } },
  dmarc: {
    status: { result: 'pass' },
    alignment: { spf: { result: false }, dkim: { result: 'bank.test' } },
  },
};

describe('withoutSpf (mail fetched over IMAP has no SMTP client)', () => {
  it('takes away a pass that rests on SPF alone', () => {
    expect(decideDmarc(spfOnly).result).toBe('pass');
    expect(decideDmarc(withoutSpf(spfOnly))).toMatchObject({ result: 'fail', method: 'dmarc' });
  });

  it('keeps the pass of an aligned DKIM signature', () => {
    expect(decideDmarc(withoutSpf(alignedDkim))).toMatchObject({ result: 'pass', method: 'dmarc' });
  });

  it('an SPF temperror is no reason to retry: SPF is not asked', () => {
    const failing: MailauthOutcome = {
      ...spfOnly,
      spf: { domain: 'bank.test', status: { result: 'temperror' } },
      dmarc: { status: { result: 'fail' } },
    };
    expect(() => decideDmarc(failing)).toThrow();
    expect(decideDmarc(withoutSpf(failing)).result).toBe('fail');
  });
});
