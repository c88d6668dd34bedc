import { defineConfig } from 'vitest/config';

/**
 * Three projects, all run by `npm test`:
 * - unit: pure code and fixture files; no root, no network, no database file. `npm run test:unit` is the fast loop.
 * - integration: real SQLite files, loopback HTTP/SMTP servers, the CLI as a child process.
 * - system: root, real OOM kills in memory cgroups, /dev/kmsg, another user, Prometheus/Alertmanager, Chromium, npm pack.
 * A test file not listed below is a unit test. CI also runs unit and integration with the clock moved 400 days
 * ahead (.ci/run), so a test that depends on today's date cannot land.
 */
const SYSTEM = [
  'test/e2e/agent-early-warning.test.ts',
  'test/sample/real-dying.test.ts',
  'test/e2e/kill-storm.test.ts',
  'test/cli/doctor.test.ts',
  'test/cli/errors.test.ts',
  'test/e2e/agent-oom-drill.test.ts',
  'test/kernel/kmsg-source.test.ts',
  'test/kernel/oom-cgroup-support.test.ts',
  'test/kernel/real-kill.test.ts',
  'test/metrics/agent-e2e.test.ts',
  'test/metrics/alertmanager.test.ts',
  'test/metrics/docs.test.ts',
  'test/metrics/prometheus.test.ts',
  'test/package/pack.test.ts',
  'test/report/chromium.test.ts',
  'test/report/drill.test.ts',
  'test/rules/real-process.test.ts',
  'test/sample/real-proc.test.ts',
  'test/sample/sampler-fixture.test.ts',
  'test/service/capabilities.test.ts',
  'test/service/unit.test.ts',
];

const INTEGRATION = [
  'test/store/checkpointer.test.ts',
  'test/notify/dispatcher-stop.test.ts',
  'test/report/cli-views.test.ts',
  'test/report/fast-case.test.ts',
  'test/agent/lock.test.ts',
  'test/kernel/headerless-kill.test.ts',
  'test/rules/backlog-starts-at.test.ts',
  'test/cli/config-show.test.ts',
  'test/rules/kill-backlog.test.ts',
  'test/agent/agent.test.ts',
  'test/e2e/agent-slack.test.ts',
  'test/e2e/sample-fixture-root.test.ts',
  'test/kernel/agent-module.test.ts',
  'test/kernel/cli.test.ts',
  'test/kernel/watcher.test.ts',
  'test/metrics/endpoint.test.ts',
  'test/metrics/module.test.ts',
  'test/notify/crash-safety.test.ts',
  'test/notify/dispatcher.test.ts',
  'test/notify/email-delivery.test.ts',
  'test/notify/email-tls.test.ts',
  'test/notify/http-channels.test.ts',
  'test/notify/module.test.ts',
  'test/notify/outbox-repo.test.ts',
  'test/notify/slack-delivery.test.ts',
  'test/notify/test-notify-cli.test.ts',
  'test/policy/cli.test.ts',
  'test/policy/enforcer.test.ts',
  'test/policy/golden.test.ts',
  'test/policy/module.test.ts',
  'test/policy/systemd.test.ts',
  'test/report/advice.test.ts',
  'test/report/assemble.test.ts',
  'test/report/cli.test.ts',
  'test/report/daily-email.test.ts',
  'test/rules/cli.test.ts',
  'test/rules/engine-store.test.ts',
  'test/rules/kinds.test.ts',
  'test/rules/module.test.ts',
  'test/rules/seed.test.ts',
  'test/service/backup.test.ts',
  'test/store/samples.test.ts',
  'test/store/snapshot-sweep.test.ts',
];

export default defineConfig({
  test: {
    pool: 'forks',
    // Tests that start real servers, real processes and a real OOM kill need more than the default 5 s.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...SYSTEM, ...INTEGRATION] } },
      { extends: true, test: { name: 'integration', include: INTEGRATION } },
      { extends: true, test: { name: 'system', include: SYSTEM } },
    ],
  },
});
