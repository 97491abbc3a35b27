#!/usr/bin/env bash
# Prints the environment clients of the local services need, for `source <(infra/local/env.sh)`:
# endpoints, bucket, and the S3 credentials (from the environment or $PFORMER_STATE/credentials.env).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"
load_credentials
cat <<ENV
export PFORMER_CACHE='$PFORMER_CACHE'
export PFORMER_STATE='$PFORMER_STATE'
export PFORMER_TEMPORAL_ADDRESS='127.0.0.1:$PFORMER_TEMPORAL_PORT'
export PFORMER_TEMPORAL_NAMESPACE='default'
export PFORMER_TEMPORAL_UI_PORT='$PFORMER_TEMPORAL_UI_PORT'
export PFORMER_MLFLOW_TRACKING_URI='http://127.0.0.1:$PFORMER_MLFLOW_PORT'
export PFORMER_S3_ENDPOINT='http://127.0.0.1:$PFORMER_S3_PORT'
export PFORMER_S3_BUCKET='$PFORMER_S3_BUCKET'
export MLFLOW_S3_ENDPOINT_URL='http://127.0.0.1:$PFORMER_S3_PORT'
export AWS_REGION='${AWS_REGION:-us-east-1}'
export AWS_ACCESS_KEY_ID='$AWS_ACCESS_KEY_ID'
export AWS_SECRET_ACCESS_KEY='$AWS_SECRET_ACCESS_KEY'
ENV
