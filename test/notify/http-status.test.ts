import { describe, expect, it } from 'vitest';
import { classifyHttpStatus } from '../../src/notify/outcome.js';

describe('classifyHttpStatus: one reading of an HTTP answer for every HTTP channel', () => {
  it.each([
    [200, 'delivered'],
    [204, 'delivered'],
    [429, 'rate-limited'],
    [408, 'retryable'],
    [500, 'retryable'],
    [503, 'retryable'],
    [400, 'permanent'],
    [401, 'permanent'],
    [404, 'permanent'],
    [410, 'permanent'],
    [302, 'permanent'],
  ] as const)('%i is %s', (status, answer) => {
    expect(classifyHttpStatus(status)).toBe(answer);
  });
});
