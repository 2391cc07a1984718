import { authservIdMatches, parseAuthenticationResults } from './authentication-results';

describe('authservIdMatches', () => {
  it.each([
    ['mx.example', true],
    ['MX.Example', true],
    ['mx.example/2846', true],
    ['mx.example/4Q7Ks30Hx2z9vB7', true],
    ['mx.example.evil.test', false],
    ['mx.example-x', false],
    ['mx.examplex', false],
    ['mx.example/', false],
    ['mx.example/1/2', false],
    ['evil.mx.example', false],
    ['x.mx.example/1', false],
    ['', false],
  ])('%s → %s (AUTHSERV_ID mx.example)', (id, expected) => {
    expect(authservIdMatches(id, 'mx.example')).toBe(expected);
  });

  it('never matches an empty AUTHSERV_ID', () => {
    expect(authservIdMatches('', '')).toBe(false);
    expect(authservIdMatches('/1', '')).toBe(false);
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
      malformed: false,
      results: [
        { method: 'dkim', result: 'pass', properties: { 'header.d': 'bank.test' } },
        { method: 'spf', result: 'fail', properties: { 'smtp.mailfrom': 'x@y.test' } },
        { method: 'dmarc', result: 'pass', properties: { 'header.from': 'bank.test' } },
      ],
    });
  });

  it('reads "none"', () => {
    expect(parseAuthenticationResults('mx.trusted.test; none')).toEqual({
      authservId: 'mx.trusted.test',
      malformed: false,
      results: [{ method: 'none', result: '', properties: {} }],
    });
  });

  // what OpenDKIM 2.11 and OpenDMARC 1.4 write behind Postfix (test/e2e/mta-upstream.e2e-spec.ts)
  it('reads the fields OpenDKIM and OpenDMARC write, job id included', () => {
    expect(
      parseAuthenticationResults(
        'mx.example/CDF3E20E3D8;\r\n\tdkim=pass (2048-bit key; unprotected) header.d=c.test header.i=@c.test header.a=rsa-sha256 header.s=s1 header.b=IOxLJr+H;\r\n\tdkim-atps=neutral',
      ),
    ).toEqual({
      authservId: 'mx.example/cdf3e20e3d8',
      malformed: false,
      results: [
        {
          method: 'dkim',
          result: 'pass',
          properties: {
            'header.d': 'c.test',
            'header.i': '@c.test',
            'header.a': 'rsa-sha256',
            'header.s': 's1',
            'header.b': 'IOxLJr+H',
          },
        },
        { method: 'dkim-atps', result: 'neutral', properties: {} },
      ],
    });
    expect(
      parseAuthenticationResults(
        'mx.example/CDF3E20E3D8; dmarc=pass (p=reject dis=none) header.from=c.test',
      )?.results,
    ).toEqual([{ method: 'dmarc', result: 'pass', properties: { 'header.from': 'c.test' } }]);
  });

  it.each([
    ['a quoted id', '"mx.example"; none', 'mx.example'],
    ['an id after a comment', '(our MTA) mx.example; none', 'mx.example'],
    ['nested comments and a quoted pair', '((a) \\) b) mx.example (c (d)); none', 'mx.example'],
    ['an id glued to a comment', 'mx.example(comment); none', 'mx.example'],
    ['a quoted id with an escaped character', '"mx\\.example"; none', 'mx.example'],
  ])('reads %s', (_name, value, id) => {
    expect(parseAuthenticationResults(value)).toMatchObject({ authservId: id, malformed: false });
  });

  it('keeps a parenthesis inside a quoted value out of comments', () => {
    expect(
      parseAuthenticationResults('mx.example; dkim=pass header.b="a(b" header.d=c.test')?.results,
    ).toEqual([
      { method: 'dkim', result: 'pass', properties: { 'header.b': 'a(b', 'header.d': 'c.test' } },
    ]);
  });

  it('reads method versions and reason', () => {
    expect(
      parseAuthenticationResults('mx.example; dkim/1=fail reason="bad sig" header.d=c.test')
        ?.results,
    ).toEqual([
      {
        method: 'dkim',
        result: 'fail',
        properties: { reason: 'bad sig', 'header.d': 'c.test' },
      },
    ]);
  });

  it.each([
    ['no results at all', 'mx.example'],
    ['an unclosed comment', 'mx.example; dmarc=pass (oops header.from=c.test'],
    ['an unclosed quote', 'mx.example; dmarc=pass header.from="c.test'],
    ['a result without a value', 'mx.example; dmarc header.from=c.test'],
    ['a property without a value', 'mx.example; dmarc=pass header.from'],
    ['a version that is not a number', 'mx.example v1; dmarc=pass'],
  ])('marks %s as malformed but still tells whose field it is', (_name, value) => {
    expect(parseAuthenticationResults(value)).toMatchObject({
      authservId: 'mx.example',
      malformed: true,
    });
  });

  it.each([[''], ['   '], ['; dmarc=pass'], ['(only a comment)'], ['""; none']])(
    'finds no authserv-id in %j',
    (value) => {
      expect(parseAuthenticationResults(value)).toBeUndefined();
    },
  );
});
