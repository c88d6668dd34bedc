/** The terminal form of one log record (src/log-pretty.ts). Fixed instants only: records are built here. */
import { describe, expect, it } from 'vitest';
import { formatLogLine } from '../../src/log-pretty.js';

const AT_MS = 1_764_136_800_123; // 2025-11-26T06:00:00.123Z
const line = (rec: Record<string, unknown>) => JSON.stringify({ level: 30, time: AT_MS, ...rec });

describe('formatLogLine', () => {
  it('shows time, level, module, message and the fields as key=value', () => {
    expect(
      formatLogLine(
        line({
          level: 40,
          mod: 'notify',
          msg: 'delivery failed, retrying',
          channel: 'ops-slack',
          attempt: 3,
          retryable: true,
          nextMs: null,
        }),
      ),
    ).toBe('06:00:00.123 WARN  notify: delivery failed, retrying channel=ops-slack attempt=3 retryable=true nextMs=null');
  });

  it('quotes values with spaces, and prints objects as JSON', () => {
    expect(formatLogLine(line({ mod: 'sample', msg: 'tick', path: '/sys/fs/cgroup/my app', counts: { gone: 1 } }))).toBe(
      '06:00:00.123 INFO  sample: tick path="/sys/fs/cgroup/my app" counts={"gone":1}',
    );
  });

  it('shows an error as type and message, with its stack indented below', () => {
    const err = {
      type: 'StoreUnwritableError',
      message: 'disk full',
      stack: 'StoreUnwritableError: disk full\n    at write (store.js:1:1)\n    at tick (agent.js:2:2)',
    };
    expect(formatLogLine(line({ level: 50, mod: 'store', msg: 'cannot write the tick', err }))).toBe(
      '06:00:00.123 ERROR store: cannot write the tick err="StoreUnwritableError: disk full"\n    at write (store.js:1:1)\n    at tick (agent.js:2:2)',
    );
  });

  it('keeps control characters from untrusted names off the terminal', () => {
    const out = formatLogLine(line({ mod: 'kernel', msg: 'victim \x1b[2Jgone', comm: 'evil\x1b]0;title\x07' }));
    expect(out).not.toMatch(/[\x00-\x1f]/);
    // A quoted value shows the escape as JSON does (\u001b), a message replaces it.
    expect(out).toBe('06:00:00.123 INFO  kernel: victim \uFFFD[2Jgone comm="evil\\u001b]0;title\\u0007"');
  });

  it('passes a line that is not JSON through, sanitised', () => {
    expect(formatLogLine('plain text\x07\n')).toBe('plain text\uFFFD');
  });
});
