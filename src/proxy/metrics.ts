/** Prometheus text exposition of the proxy's counters (format 0.0.4), without a client library. */

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : '\\' + c))}"`,
  );
  return parts.length ? `{${parts.join(',')}}` : '';
}

export class Metrics {
  private counters = new Map<string, Map<string, number>>();
  private latency = new Map<string, { buckets: number[]; sum: number; count: number }>();
  activeSessions = 0;
  bridgedSessions = 0;

  inc(name: string, labels: Record<string, string>, by = 1): void {
    let m = this.counters.get(name);
    if (!m) this.counters.set(name, (m = new Map<string, number>()));
    const key = labelText(labels);
    m.set(key, (m.get(key) ?? 0) + by);
  }

  observeLogin(protocol: string, seconds: number): void {
    const key = labelText({ protocol });
    let h = this.latency.get(key);
    if (!h) this.latency.set(key, (h = { buckets: latencyBuckets.map(() => 0), sum: 0, count: 0 }));
    latencyBuckets.forEach((b, i) => {
      if (seconds <= b) h.buckets[i]!++;
    });
    h.sum += seconds;
    h.count++;
  }

  get(name: string, labels: Record<string, string>): number {
    return this.counters.get(name)?.get(labelText(labels)) ?? 0;
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
      for (const [labels, v] of m) out.push(`${name}${labels} ${v}`);
    }
    out.push('# TYPE sievert_proxy_login_seconds histogram');
    for (const [labels, h] of this.latency) {
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
