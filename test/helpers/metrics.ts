/**
 * Reading GET /metrics as a scraper does, for the tests and the bench: a small parser of the
 * Prometheus text format (0.0.4) written independently of prom-client, which produces the text,
 * and histogram_quantile as Prometheus computes it.
 */

export type Labels = Record<string, string>;

export interface Sample {
  /** the sample's own name (`x_bucket`, `x_sum`, `x_count` for a histogram `x`) */
  name: string;
  labels: Labels;
  value: number;
}

export interface Scrape {
  /** `# TYPE` of each family */
  types: Map<string, string>;
  samples: Sample[];
}

function unescapeLabel(value: string): string {
  return value.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/**
 * A sample value as Prometheus reads it: a float, or Inf/NaN in any letter case (prom-client writes
 * `Nan`, e.g. for the event-loop lag gauges of a process that has not sampled its loop yet).
 */
function parseValue(text: string): number {
  if (/^\+?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`not a sample value: "${text}"`);
  return value;
}

/** Parses the text format; throws on a line it cannot read (so a malformed output fails a test). */
export function parsePrometheusText(text: string): Scrape {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type !== null) types.set(type[1], type[2]);
      continue;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( \d+)?$/.exec(line);
    if (match === null) throw new Error(`unreadable metrics line: ${line}`);
    const labels: Labels = {};
    const body = match[3] ?? '';
    const pair = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;
    let at = 0;
    while (at < body.length) {
      pair.lastIndex = at;
      const found = pair.exec(body);
      if (found === null) throw new Error(`unreadable labels: ${line}`);
      labels[found[1]] = unescapeLabel(found[2]);
      at = pair.lastIndex;
    }
    samples.push({ name: match[1], labels, value: parseValue(match[4]) });
  }
  return { types, samples };
}

function matches(labels: Labels, wanted: Labels): boolean {
  return Object.entries(wanted).every(([key, value]) => labels[key] === value);
}

/** Samples of this name whose labels include `wanted`. */
export function samplesOf(scrape: Scrape, name: string, wanted: Labels = {}): Sample[] {
  return scrape.samples.filter((s) => s.name === name && matches(s.labels, wanted));
}

/** The sum of the matching samples (0 when there are none). */
export function valueOf(scrape: Scrape, name: string, wanted: Labels = {}): number {
  return samplesOf(scrape, name, wanted).reduce((sum, s) => sum + s.value, 0);
}

/**
 * A histogram's cumulative buckets added up over every series whose labels include `wanted`
 * (and over several scrapes: one per process), sorted by upper bound.
 */
export function histogramBuckets(
  scrapes: Scrape | Scrape[],
  name: string,
  wanted: Labels = {},
): { le: number; count: number }[] {
  const byBound = new Map<number, number>();
  for (const scrape of Array.isArray(scrapes) ? scrapes : [scrapes]) {
    for (const sample of samplesOf(scrape, `${name}_bucket`, wanted)) {
      const le = parseValue(sample.labels.le ?? '');
      byBound.set(le, (byBound.get(le) ?? 0) + sample.value);
    }
  }
  return [...byBound.entries()].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
}

/**
 * Prometheus's histogram_quantile: linear interpolation inside the bucket the rank falls in; the
 * highest finite bound when it falls in +Inf; NaN without observations.
 */
export function histogramQuantile(q: number, buckets: { le: number; count: number }[]): number {
  const total = buckets.at(-1)?.count ?? 0;
  if (buckets.length === 0 || total === 0) return NaN;
  const rank = q * total;
  for (let i = 0; i < buckets.length; i += 1) {
    const bucket = buckets[i];
    if (bucket.count < rank) continue;
    if (bucket.le === Infinity) return buckets[i - 1]?.le ?? NaN;
    const lowerBound = i === 0 ? 0 : buckets[i - 1].le;
    const lowerCount = i === 0 ? 0 : buckets[i - 1].count;
    const inBucket = bucket.count - lowerCount;
    if (inBucket === 0) return bucket.le;
    return lowerBound + (bucket.le - lowerBound) * ((rank - lowerCount) / inBucket);
  }
  return buckets.at(-1)?.le ?? NaN;
}

/** GET <baseUrl>/metrics, with the bearer token when given; throws unless 200. */
export async function scrapeMetrics(baseUrl: string, token?: string): Promise<Scrape> {
  return parsePrometheusText(await fetchMetricsText(baseUrl, token));
}

export async function fetchMetricsText(baseUrl: string, token?: string): Promise<string> {
  const response = await fetch(`${baseUrl}/metrics`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET /metrics: ${response.status} ${text}`);
  return text;
}
