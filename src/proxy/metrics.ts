/** Prometheus text exposition of the proxy's counters (format 0.0.4), without a client library. */

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : '\\' + c))}"`,
  );
  return parts.length ? `{${parts.join(',')}}` : '';
}

/**
 * A cheap identity for a label set, so the escaped exposition text is built once per series and
 * not on every increment (logins are the hot path: this ran per login).
 */
function seriesKey(labels: Record<string, string>): string {
  let key = '';
  for (const k in labels) key += `${k}\u0001${labels[k]}\u0000`;
  return key;
}

/** One counter series; a caller that increments it often keeps the handle (`series`). */
export interface Series {
  readonly labels: string;
  value: number;
}

/**
 * The series of one counter with three labels, found by nested maps of the label values: no key
 * string and no label object per increment (the proxy counts every login and every session's
 * bytes through these).
 */
export class Counter3 {
  private readonly byValue = new Map<string, Map<string, Map<string, Series>>>();

  constructor(
    private readonly metrics: Metrics,
    readonly name: string,
    private readonly labels: readonly [string, string, string],
  ) {}

  get(a: string, b: string, c: string): Series {
    let m1 = this.byValue.get(a);
    if (!m1) this.byValue.set(a, (m1 = new Map<string, Map<string, Series>>()));
    let m2 = m1.get(b);
    if (!m2) m1.set(b, (m2 = new Map<string, Series>()));
    let series = m2.get(c);
    if (!series) {
      const [ka, kb, kc] = this.labels;
      m2.set(c, (series = this.metrics.series(this.name, { [ka]: a, [kb]: b, [kc]: c })));
    }
    return series;
  }
}

export class Metrics {
  readonly logins = new Counter3(this, 'sievert_proxy_logins_total', ['protocol', 'destination', 'outcome']);
  readonly bytes = new Counter3(this, 'sievert_proxy_bytes_total', ['protocol', 'destination', 'direction']);
  private counters = new Map<string, Map<string, Series>>();
  private latency = new Map<string, { labels: string; buckets: number[]; sum: number; count: number }>();
  activeSessions = 0;
  bridgedSessions = 0;

  /** The series of counter `name` with these labels (created at 0), to increment directly. */
  series(name: string, labels: Record<string, string>): Series {
    let m = this.counters.get(name);
    if (!m) this.counters.set(name, (m = new Map<string, Series>()));
    const key = seriesKey(labels);
    let series = m.get(key);
    if (!series) m.set(key, (series = { labels: labelText(labels), value: 0 }));
    return series;
  }

  inc(name: string, labels: Record<string, string>, by = 1): void {
    this.series(name, labels).value += by;
  }

  observeLogin(protocol: string, seconds: number): void {
    let h = this.latency.get(protocol);
    if (!h) {
      h = { labels: labelText({ protocol }), buckets: latencyBuckets.map(() => 0), sum: 0, count: 0 };
      this.latency.set(protocol, h);
    }
    for (let i = 0; i < latencyBuckets.length; i++) if (seconds <= latencyBuckets[i]!) h.buckets[i]!++;
    h.sum += seconds;
    h.count++;
  }

  get(name: string, labels: Record<string, string>): number {
    return this.counters.get(name)?.get(seriesKey(labels))?.value ?? 0;
  }

  render(): string {
    const out: string[] = [];
    out.push(
      '# TYPE sievert_proxy_sessions_active gauge',
      `sievert_proxy_sessions_active ${this.activeSessions}`,
    );
    out.push(
      '# TYPE sievert_proxy_sessions_bridged gauge',
      `sievert_proxy_sessions_bridged ${this.bridgedSessions}`,
    );
    for (const [name, m] of this.counters) {
      out.push(`# TYPE ${name} counter`);
      for (const { labels, value } of m.values()) out.push(`${name}${labels} ${value}`);
    }
    out.push('# TYPE sievert_proxy_login_seconds histogram');
    for (const h of this.latency.values()) {
      const labels = h.labels;
      const inner = labels.slice(1, -1);
      latencyBuckets.forEach((b, i) =>
        out.push(`sievert_proxy_login_seconds_bucket{${inner},le="${b}"} ${h.buckets[i]}`),
      );
      out.push(`sievert_proxy_login_seconds_bucket{${inner},le="+Inf"} ${h.count}`);
      out.push(
        `sievert_proxy_login_seconds_sum${labels} ${h.sum}`,
        `sievert_proxy_login_seconds_count${labels} ${h.count}`,
      );
    }
    return out.join('\n') + '\n';
  }
}
