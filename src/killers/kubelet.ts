/**
 * The kubelet's eviction manager (kubernetes pkg/kubelet/eviction/eviction_manager.go), in its two log styles:
 *   klog (≤ 1.20)        eviction manager: attempting to reclaim memory
 *                        eviction manager: pods web-7d9c_default(0f3c…) evicted, waiting for pod to be cleaned up
 *                        eviction manager: pod web-7d9c_default(0f3c…) is evicted successfully
 *   structured (1.21+)   "Eviction manager: attempting to reclaim" resourceName="memory"
 *                        "Eviction manager: pod is evicted successfully" pod="default/web-7d9c"
 *                        "Eviction manager: pods evicted, waiting for pod to be cleaned up" pods=[default/web-7d9c]
 * Lines carry the klog header ("I1012 19:34:45.445172    2480 eviction_manager.go:595] "). Only evictions to reclaim
 * memory are kills for this ledger; a pod is told once however many of these lines name it. Stateful, pure.
 */
import type { KillerDraft } from './draft.js';

const KLOG_HEADER_RE = /^(?:[IWEF]\d{4} [\d:.]+\s+\d+ )?[\w.-]+\.go:\d+\] /;
const RECLAIM_RE = /^"?[Ee]viction manager: (?:attempting to reclaim|must evict pod\(s\) to reclaim)"?(?: resourceName="([^"]+)"| (\S+))/;
const EVICTED_RE =
  /^"?[Ee]viction manager: (?:pod is evicted successfully" pod="([^"]+)"|pod (\S+) is evicted successfully|pods evicted, waiting for pod to be cleaned up" pods=\[([^\]]*)\]|pods (.+?) evicted, waiting for pod to be cleaned up)/;

export class KubeletParser {
  private resource: string | null = null;
  private told = new Set<string>();

  push(raw: string): KillerDraft | null {
    const text = raw.replace(KLOG_HEADER_RE, '');
    const r = RECLAIM_RE.exec(text);
    if (r) {
      const resource = r[1] ?? r[2];
      if (resource !== this.resource) this.told.clear();
      this.resource = resource;
      return null;
    }
    const e = EVICTED_RE.exec(text);
    if (!e) {
      if (
        /^"?[Ee]viction manager: .*evict/.test(text) &&
        /\bpods?[= ]/.test(text) &&
        !/ranked for eviction|failed to evict|must evict|attempting/.test(text)
      )
        return { killer: 'kubelet-eviction', reason: null, victim: null, lines: [raw], unparsed: true };
      return null;
    }
    if (this.resource !== null && this.resource !== 'memory') return null;
    const pods = (e[1] ?? e[2] ?? e[3] ?? e[4]).split(/[ ,]+/).filter(Boolean);
    const fresh = pods.filter((p) => !this.told.has(p));
    if (fresh.length === 0) return null;
    for (const p of fresh) this.told.add(p);
    const why = this.resource === 'memory' ? 'to reclaim memory' : '(the resource to reclaim was not in the log)';
    return {
      killer: 'kubelet-eviction',
      reason: `pod${fresh.length === 1 ? '' : 's'} ${fresh.join(', ')} evicted ${why}`,
      victim: null,
      lines: [raw],
    };
  }
}
