#!/usr/bin/env bash
# `make reliability`: the fault and bad-input suite (cli/src/test/java/org/pformer/cli/reliability) on a private
# instance of the local services, so the shared instance other tests and users rely on is never disturbed:
# its own state directory, its own ports, and freshly generated S3 credentials whose secret the suite plants and
# then searches for everywhere it must not appear. The instance is stopped whatever the outcome.
#
# Knobs: RELIABILITY_SEED (where the faults strike; default 20260), RELIABILITY_POINTS (random points per fault;
# default 3, CI runs 1), RELIABILITY_STATE (default target/reliability/services, wiped at start),
# RELIABILITY_PORT_BASE (default 17000: Temporal 17233, its UI 18233, MLflow 17500, S3 17900),
# RELIABILITY_KEEP=1 leaves the instance running afterwards (stop it with the same environment and services.sh down).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

base=${RELIABILITY_PORT_BASE:-17000}
export PFORMER_STATE=${RELIABILITY_STATE:-$repo/target/reliability/services}
export PFORMER_TEMPORAL_PORT=$((base + 233))
export PFORMER_TEMPORAL_UI_PORT=$((base + 1233))
export PFORMER_MLFLOW_PORT=$((base + 500))
export PFORMER_S3_PORT=$((base + 900))
export RELIABILITY_SEED=${RELIABILITY_SEED:-20260}
export RELIABILITY_POINTS=${RELIABILITY_POINTS:-3}

# The planted secret: this instance's S3 credentials, generated per run and given to every process through the
# environment only (as users provide theirs). The suite fails if it shows up in any payload, tag, log or message.
export AWS_ACCESS_KEY_ID="reliability-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
export AWS_SECRET_ACCESS_KEY="planted-secret-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export RELIABILITY_PLANTED_SECRET="$AWS_SECRET_ACCESS_KEY"
export PFORMER_RELIABILITY_INSTANCE="$PFORMER_STATE"

services() { bash infra/local/services.sh "$@"; }
cleanup() {
  if [ "${RELIABILITY_KEEP:-0}" != 1 ]; then services down >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
# a previous run's instance (with other credentials) must not be adopted
services down >/dev/null 2>&1 || true
rm -rf "$PFORMER_STATE" cli/target/reliability cli/target/reliability-report.md
start=$SECONDS
services up
echo "[reliability] private services ready after $((SECONDS - start)) s (state $PFORMER_STATE)"
# shellcheck disable=SC1090
source <(bash infra/local/env.sh)
export AWS_JAVA_V1_DISABLE_DEPRECATION_ANNOUNCEMENT=true
# extra arguments go to Maven, e.g. -Dit.test='PipelineReliabilityIT#uninterrupted*+badConfig*'
status=0
${MVN:-mvn -B -ntp} -Preliability -pl cli -am verify "$@" || status=$?
# the suite's table (also printed above) next to the other build outputs
if [ -f cli/target/reliability-report.md ]; then
  mkdir -p target && cp cli/target/reliability-report.md target/reliability-report.md
  echo "[reliability] table: target/reliability-report.md"
fi
echo "[reliability] suite finished after $((SECONDS - start)) s with status $status"
exit $status
