#!/bin/sh
# Installs the real services the integration tests run against (Debian packages), idempotently:
#   prometheus              test/metrics/prometheus.test.ts  (scrapes the agent's /metrics)
#   prometheus-alertmanager test/metrics/alertmanager.test.ts (receives the agent's alerts)
#   chromium                tests that render HTML reports/emails to images
#   faketime                .ci/run re-runs the unit and integration tests with the clock 400 days ahead
#   earlyoom                test/killers/earlyoom-real.test.ts (runs it with --dryrun: it kills nothing); the
#                           packaged service is disabled so it never runs on the CI host by itself
#   postgresql-15           test/fleet/*.test.ts (initdb into a temporary folder, pg_ctl on a loopback port;
#                           the machine's own cluster is never used)
# Under CI=true those tests fail instead of skipping when a service is missing.
# Usage: scripts/ci-services.sh   (as root; .ci/run calls it before the tests)
set -eu

need=""
command -v prometheus >/dev/null 2>&1 || need="$need prometheus"
command -v prometheus-alertmanager >/dev/null 2>&1 || command -v alertmanager >/dev/null 2>&1 || need="$need prometheus-alertmanager"
command -v chromium >/dev/null 2>&1 || need="$need chromium"
command -v faketime >/dev/null 2>&1 || need="$need faketime"
command -v earlyoom >/dev/null 2>&1 || need="$need earlyoom"
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need="$need postgresql-15"

if [ -z "$need" ]; then
  echo "ci-services: prometheus, prometheus-alertmanager, chromium, faketime, earlyoom and postgresql are already installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "ci-services: need root to install:$need (run: sudo $0)" >&2
  exit 77
fi

export DEBIAN_FRONTEND=noninteractive
echo "ci-services: installing:$need"
apt-get update -qq
# --no-install-recommends keeps the image small; policy-rc.d-less containers cannot start the
# packaged daemons anyway, and the tests start their own on loopback ports.
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need
# earlyoom's package enables its service: a daemon that kills processes has no place on a shared CI host.
case "$need" in *earlyoom*) systemctl disable --now earlyoom >/dev/null 2>&1 || true ;; esac
