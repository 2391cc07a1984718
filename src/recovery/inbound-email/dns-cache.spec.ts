import { cachedResolver, DNS_CACHE_ENTRIES, DnsResolve } from './dns-cache';

function dnsError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`queryTxt ${code} example.test`), { code });
}

/** A resolver that counts its questions and answers from a table by "TYPE name" (or fails as told). */
function countingResolver(answers: Record<string, unknown> = {}) {
  const asked: string[] = [];
  const failures = new Map<string, string>();
  const resolve: DnsResolve = async (name, rrtype) => {
    asked.push(`${rrtype} ${name}`);
    await new Promise((done) => setImmediate(done));
    const failure = failures.get(name);
    if (failure !== undefined) throw dnsError(failure);
    const answer = answers[`${rrtype} ${name}`];
    if (answer === undefined) throw dnsError('ENOTFOUND');
    return answer;
  };
  return { resolve, asked, failures };
}

describe('cachedResolver (DNS answers for SPF, DKIM and DMARC)', () => {
  it('asks once per name and type within the TTL, again after it', async () => {
    const dns = countingResolver({ 'TXT _dmarc.clinic.test': [['v=DMARC1; p=reject']] });
    let now = 1000;
    const resolve = cachedResolver(dns.resolve, 60, { now: () => now });
    await expect(resolve('_dmarc.clinic.test', 'TXT')).resolves.toEqual([['v=DMARC1; p=reject']]);
    await expect(resolve('_DMARC.Clinic.Test.', 'TXT')).resolves.toEqual([['v=DMARC1; p=reject']]);
    expect(dns.asked).toEqual(['TXT _dmarc.clinic.test']);
    // another type of the same name is another question
    await expect(resolve('_dmarc.clinic.test', 'MX')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(dns.asked).toHaveLength(2);
    now += 59_000;
    await resolve('_dmarc.clinic.test', 'TXT');
    expect(dns.asked).toHaveLength(2);
    now += 1_001;
    await resolve('_dmarc.clinic.test', 'TXT');
    expect(dns.asked).toEqual([
      'TXT _dmarc.clinic.test',
      'MX _dmarc.clinic.test',
      'TXT _dmarc.clinic.test',
    ]);
  });

  it('keeps "no such record" like an answer, but never a temporary failure', async () => {
    const dns = countingResolver();
    const resolve = cachedResolver(dns.resolve, 60);
    await expect(resolve('_dmarc.none.test', 'TXT')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(resolve('_dmarc.none.test', 'TXT')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(dns.asked).toHaveLength(1);

    for (const code of ['ETIMEOUT', 'ESERVFAIL', 'EREFUSED', 'ECONNREFUSED']) {
      dns.failures.set(`${code}.test`, code);
      await expect(resolve(`${code}.test`, 'TXT')).rejects.toMatchObject({ code });
      await expect(resolve(`${code}.test`, 'TXT')).rejects.toMatchObject({ code });
    }
    // each temporary failure was asked twice: the retry of the message asks DNS again
    expect(dns.asked).toHaveLength(1 + 4 * 2);
  });

  it('shares one question between look-ups that run at the same time', async () => {
    const dns = countingResolver({ 'TXT clinic.test': [['v=spf1 -all']] });
    const resolve = cachedResolver(dns.resolve, 60);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => resolve('clinic.test', 'TXT')),
    );
    expect(answers).toEqual(Array.from({ length: 5 }, () => [['v=spf1 -all']]));
    expect(dns.asked).toHaveLength(1);
  });

  it('gives every caller its own copy (mailauth sorts MX answers in place)', async () => {
    const dns = countingResolver({
      'MX clinic.test': [
        { exchange: 'b.mx.test', priority: 20 },
        { exchange: 'a.mx.test', priority: 10 },
      ],
    });
    const resolve = cachedResolver(dns.resolve, 60);
    const first = (await resolve('clinic.test', 'MX')) as { priority: number }[];
    first.sort((a, b) => a.priority - b.priority);
    first[0].priority = 0;
    await expect(resolve('clinic.test', 'MX')).resolves.toEqual([
      { exchange: 'b.mx.test', priority: 20 },
      { exchange: 'a.mx.test', priority: 10 },
    ]);
  });

  it('holds at most DNS_CACHE_ENTRIES names: the oldest go first', async () => {
    const dns = countingResolver();
    const resolve = cachedResolver(dns.resolve, 3600);
    for (let i = 0; i <= DNS_CACHE_ENTRIES; i += 1) {
      await resolve(`_dmarc.d${i}.test`, 'TXT').catch(() => undefined);
    }
    const asked = dns.asked.length;
    await resolve(`_dmarc.d${DNS_CACHE_ENTRIES}.test`, 'TXT').catch(() => undefined);
    expect(dns.asked).toHaveLength(asked);
    await resolve('_dmarc.d0.test', 'TXT').catch(() => undefined);
    expect(dns.asked).toHaveLength(asked + 1);
  });

  it('with 0 seconds asks every time', async () => {
    const dns = countingResolver({ 'TXT clinic.test': [['v=spf1 -all']] });
    const resolve = cachedResolver(dns.resolve, 0);
    await resolve('clinic.test', 'TXT');
    await resolve('clinic.test', 'TXT');
    expect(dns.asked).toHaveLength(2);
  });
});
