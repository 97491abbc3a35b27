# MLflow tracking server with PostgreSQL and S3 support, the versions the project tests against
# (infra/local/lib.sh: MLFLOW_VERSION, BOTO3_VERSION).
#   docker build -f infra/deploy/docker/mlflow.Dockerfile -t registry.example.com/pformer/mlflow:3.17.2 .
FROM python:3.11-slim
RUN pip install --no-cache-dir mlflow==3.17.2 boto3==1.44.5 psycopg2-binary==2.9.13 \
 && useradd --system --create-home --home-dir /home/mlflow mlflow
USER mlflow
WORKDIR /home/mlflow
ENTRYPOINT ["mlflow"]
