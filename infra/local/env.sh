#!/usr/bin/env bash
# Prints the environment clients of the local services need, for `source <(bash infra/local/env.sh)`:
# endpoints, ports and buckets (so services.sh run from that environment, e.g. by a test, addresses the same
# servers), and the S3 credentials. Credentials already in the environment are kept; otherwise the
# output sources $PFORMER_STATE/credentials.env (generated once, mode 600), so the secret itself is never printed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"
cat <<ENV
export PFORMER_CACHE='$PFORMER_CACHE'
export PFORMER_STATE='$PFORMER_STATE'
export PFORMER_TEMPORAL_ADDRESS='127.0.0.1:$PFORMER_TEMPORAL_PORT'
export PFORMER_TEMPORAL_NAMESPACE='default'
export PFORMER_TEMPORAL_PORT='$PFORMER_TEMPORAL_PORT'
export PFORMER_TEMPORAL_UI_PORT='$PFORMER_TEMPORAL_UI_PORT'
export PFORMER_MLFLOW_PORT='$PFORMER_MLFLOW_PORT'
export PFORMER_S3_PORT='$PFORMER_S3_PORT'
export PFORMER_MLFLOW_TRACKING_URI='http://127.0.0.1:$PFORMER_MLFLOW_PORT'
export PFORMER_S3_ENDPOINT='http://127.0.0.1:$PFORMER_S3_PORT'
export PFORMER_S3_BUCKET='$PFORMER_S3_BUCKET'
export PFORMER_MLFLOW_BUCKET='$PFORMER_MLFLOW_BUCKET'
export MLFLOW_S3_ENDPOINT_URL='http://127.0.0.1:$PFORMER_S3_PORT'
export AWS_REGION='${AWS_REGION:-us-east-1}'
ENV
if [ -z "${AWS_ACCESS_KEY_ID:-}" ] || [ -z "${AWS_SECRET_ACCESS_KEY:-}" ]; then
  load_credentials
  echo "set -a; source '$PFORMER_STATE/credentials.env'; set +a"
fi
