import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/validate.js';
import { silentLogger } from '../../src/log.js';
import { normalizeWorkloadKind } from '../../src/metrics/labels.js';
import { createMetrics } from '../../src/metrics/index.js';

describe('OOM incidents by workload on /metrics', () => {
  it('counts kills by workload kind and namespace in their own counter, with bounded label values', async () => {
    const r = validateConfig({});
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const metrics = createMetrics({ config: r.config, log: silentLogger() });
    metrics.onIncident({ constraint: 'memcg', source: 'kmsg', workload: 'k8s-pod', namespace: 'shop' });
    metrics.onIncident({ constraint: 'memcg', source: 'kmsg', workload: 'k8s-pod', namespace: 'shop' });
    metrics.onIncident({ constraint: 'global', source: 'kmsg', workload: null, namespace: null });
    metrics.onIncident({ constraint: 'memcg', source: 'counter', workload: 'made-up', namespace: 'a"b\nc' });
    const text = await metrics.render();
    expect(text).toContain('oomwatch_oom_workload_kills_total{workload="k8s-pod",namespace="shop"} 2');
    expect(text).toContain('oomwatch_oom_workload_kills_total{workload="other",namespace="a_b_c"} 1');
    // A kill outside any workload counts in the incidents counter only, whose label set stays fixed.
    expect(text).not.toContain('oomwatch_oom_workload_kills_total{workload="none"');
    expect(text).toContain('oomwatch_oom_incidents_total{constraint="memcg",source="kmsg"} 2');
    expect(text).toContain('oomwatch_oom_incidents_total{constraint="global",source="kmsg"} 1');
    expect(text).toContain('oomwatch_oom_incidents_total{constraint="memcg",source="counter"} 1');
    expect(normalizeWorkloadKind(undefined)).toBe('none');
  });
});
