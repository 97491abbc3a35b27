# The pformer worker/CLI image.
#   CPU: docker build -f infra/deploy/docker/worker.Dockerfile -t pformer/worker-cpu .
#   GPU: docker build -f infra/deploy/docker/worker.Dockerfile --build-arg MAVEN_PROFILE=-Pcuda \
#          --build-arg BASE_IMAGE=nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04 -t pformer/worker-gpu .
# -Pcuda swaps PyTorch's CPU natives for pytorch-native-cu121 (same PyTorch 2.3.1); DJL runs offline from the jars.
ARG BASE_IMAGE=ubuntu:22.04
ARG MAVEN_PROFILE=

FROM maven:3.9-eclipse-temurin-17 AS build
ARG MAVEN_PROFILE
WORKDIR /src
COPY . .
RUN mvn -B -ntp -q ${MAVEN_PROFILE} -DskipTests -DskipITs package

FROM ${BASE_IMAGE}
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      openjdk-17-jre-headless ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/pformer
COPY --from=build /src/bin ./bin
COPY --from=build /src/cli/target/lib ./cli/target/lib
COPY --from=build /src/cli/target/cli-*.jar ./cli/target/
COPY --from=build /src/infra/config ./infra/config
RUN useradd --system --home /var/lib/pformer pformer && mkdir -p /var/lib/pformer && chown pformer /var/lib/pformer
USER pformer
ENV PFORMER_STATE=/var/lib/pformer DJL_CACHE_DIR=/var/lib/pformer/djl
ENTRYPOINT ["/opt/pformer/bin/pformer"]
