import { LRUCache } from 'lru-cache';

/** mailauth's resolver signature (that of dns.promises.resolve). */
export type DnsResolve = (name: string, rrtype: string) => Promise<unknown>;

/**
 * Answers that mean "there is no such record": a definite answer, cached like a record (RFC 2308),
 * which mailauth reads as "none" (no DMARC policy, an `exists` that does not match).
 */
const NO_RECORD_CODES = new Set(['ENOTFOUND', 'ENODATA']);

/** Distinct names kept: a flood of mail from random domains cannot grow memory past this. */
export const DNS_CACHE_ENTRIES = 10_000;

type Entry = { answer: unknown } | { missing: NodeJS.ErrnoException };

/**
 * SPF, DKIM and DMARC look-ups through a bounded cache: recovery mail comes mostly from a few
 * large providers, whose SPF `include:` chains, DMARC policies and DKIM keys every message would
 * otherwise ask for again. Answers and "no such record" are kept for `ttlSeconds` (Node's
 * resolver does not report the TTL of TXT records, so this is an upper bound chosen by the
 * operator, DNS_CACHE_SECONDS); temporary failures (timeout, SERVFAIL, refused) are never kept,
 * so the retry with back-off asks again. Concurrent look-ups of one name share one question.
 * Every caller gets its own copy of the answer (mailauth sorts MX answers in place).
 */
export function cachedResolver(
  resolve: DnsResolve,
  ttlSeconds: number,
  clock: { now(): number } = performance,
): DnsResolve {
  if (ttlSeconds <= 0) return resolve;
  const cache = new LRUCache<string, Entry>({
    max: DNS_CACHE_ENTRIES,
    ttl: ttlSeconds * 1000,
    perf: clock,
    // read the clock on every look-up (the default reuses one reading for a millisecond)
    ttlResolution: 0,
  });
  const inFlight = new Map<string, Promise<Entry>>();

  const ask = async (key: string, name: string, rrtype: string): Promise<Entry> => {
    try {
      const entry: Entry = { answer: await resolve(name, rrtype) };
      cache.set(key, entry);
      return entry;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException | null)?.code;
      if (code === undefined || !NO_RECORD_CODES.has(code)) throw error;
      const entry: Entry = { missing: error as NodeJS.ErrnoException };
      cache.set(key, entry);
      return entry;
    } finally {
      inFlight.delete(key);
    }
  };

  return async (name, rrtype) => {
    const key = `${rrtype} ${name.toLowerCase().replace(/\.$/, '')}`;
    let entry = cache.get(key);
    if (entry === undefined) {
      let pending = inFlight.get(key);
      if (pending === undefined) {
        pending = ask(key, name, rrtype);
        inFlight.set(key, pending);
      }
      entry = await pending;
    }
    if ('missing' in entry) throw entry.missing;
    return structuredClone(entry.answer);
  };
}
