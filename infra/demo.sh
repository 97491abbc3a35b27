#!/usr/bin/env bash
# `make demo`: with the local services up and the CLI built, start a worker serving every queue, run the whole
# pipeline on the shipped benchmark world (ABLATION=1: the omega1 x omega2 grid, SEEDS=1,2,3 to repeat it), print
# the metric table and where to look at the runs. The worker is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

config=${CONFIG:-infra/config/world-default.yaml}
pformer=bin/pformer
state=${PFORMER_STATE:-$HOME/.local/state/pformer}
mkdir -p "$state/logs"
worker_log="$state/logs/demo-worker.log"

"$pformer" config check "$config" >/dev/null
experiment=$("$pformer" config show "$config" | sed -n 's/^name: *//p' | tr -d "\"'")

echo "starting a worker (log: $worker_log)"
"$pformer" worker --queues pipeline,cpu,gpu >> "$worker_log" 2>&1 &
worker=$!
cleanup() {
  kill "$worker" 2>/dev/null || true
  wait "$worker" 2>/dev/null || true
}
trap cleanup EXIT

started=$SECONDS
status=0
if [ "${ABLATION:-0}" = "1" ]; then
  seeds=()
  [ -n "${SEEDS:-}" ] && seeds=(--seeds "$SEEDS")
  grid="$experiment-ablation-$(date +%Y%m%d-%H%M%S)"
  "$pformer" ablate --config "$config" --id "$grid" --omega1 "${OMEGA1:-0,10}" --omega2 "${OMEGA2:-0,100}" "${seeds[@]}" --wait || status=$?
  # this grid only: earlier demos' pipelines live in the same experiment
  "$pformer" compare --experiment "$experiment" --ablation "$grid" --plot "$state/compare-$experiment.png" || status=$?
else
  "$pformer" run --config "$config" --wait || status=$?
fi
echo
echo "demo finished in $(( (SECONDS - started) / 60 ))m$(( (SECONDS - started) % 60 ))s with exit code $status"
echo "  Temporal UI: http://127.0.0.1:${PFORMER_TEMPORAL_UI_PORT:-8233}"
echo "  MLflow UI:   ${PFORMER_MLFLOW_TRACKING_URI:-http://127.0.0.1:5000} (experiment $experiment)"
exit $status
