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
  'test/agent/store-full.test.ts',
  'test/alerts/real-process.test.ts',
  'test/cli/doctor.test.ts',
  'test/cli/errors.test.ts',
  'test/e2e/agent-early-warning.test.ts',
  'test/e2e/agent-oom-drill.test.ts',
  'test/e2e/kill-storm.test.ts',
  'test/fleet/migrate.test.ts',
  'test/kernel/kmsg-source-real.test.ts',
  'test/kernel/oom-cgroup-support.test.ts',
  'test/kernel/real-kill.test.ts',
  'test/metrics/agent-e2e.test.ts',
  'test/metrics/alertmanager.test.ts',
  'test/metrics/docs.test.ts',
  'test/metrics/prometheus.test.ts',
  'test/package/pack.test.ts',
  'test/policy/user-unit-cgroup.test.ts',
  'test/report/chromium.test.ts',
  'test/report/drill.test.ts',
  'test/sample/real-dying.test.ts',
  'test/sample/real-proc.test.ts',
  'test/sample/sampler-fixture.test.ts',
  'test/service/capabilities.test.ts',
  'test/service/unit.test.ts',
  'test/store/faults.test.ts',
  'test/store/trust.test.ts',
];

const INTEGRATION = [
  'test/agent/agent.test.ts',
  'test/agent/db-replaced.test.ts',
  'test/agent/lock.test.ts',
  'test/alerts/backlog-starts-at.test.ts',
  'test/alerts/cli.test.ts',
  'test/alerts/engine-store.test.ts',
  'test/alerts/kill-backlog.test.ts',
  'test/alerts/module.test.ts',
  'test/alerts/seed.test.ts',
  'test/cli/closed-pipe.test.ts',
  'test/cli/config-before-start.test.ts',
  'test/cli/config-show.test.ts',
  'test/cli/json-schemas.test.ts',
  'test/e2e/agent-slack.test.ts',
  'test/e2e/import-golden.test.ts',
  'test/e2e/sample-fixture-root.test.ts',
  'test/kernel/agent-module.test.ts',
  'test/kernel/cli.test.ts',
  'test/kernel/headerless-kill.test.ts',
  'test/kernel/import-stream.test.ts',
  'test/kernel/kmsg-source.test.ts',
  'test/kernel/watcher.test.ts',
  'test/log/tty.test.ts',
  'test/metrics/endpoint.test.ts',
  'test/metrics/module.test.ts',
  'test/notify/crash-safety.test.ts',
  'test/notify/dispatcher-stop.test.ts',
  'test/notify/dispatcher.test.ts',
  'test/notify/email-delivery.test.ts',
  'test/notify/email-tls.test.ts',
  'test/notify/http-channels.test.ts',
  'test/notify/module.test.ts',
  'test/notify/outbox-repo.test.ts',
  'test/notify/slack-delivery.test.ts',
  'test/notify/store-alarm.test.ts',
  'test/notify/test-notify-cli.test.ts',
  'test/policy/cli.test.ts',
  'test/policy/enforcer.test.ts',
  'test/policy/golden.test.ts',
  'test/policy/module.test.ts',
  'test/policy/systemd.test.ts',
  'test/report/advice.test.ts',
  'test/report/assemble.test.ts',
  'test/report/cli-views.test.ts',
  'test/report/cli.test.ts',
  'test/report/daily-email.test.ts',
  'test/report/fast-case.test.ts',
  'test/rules/kinds.test.ts',
  'test/sample/redact-store.test.ts',
  'test/service/backup.test.ts',
  'test/store/checkpointer.test.ts',
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
