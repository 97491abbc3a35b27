# The two commands: `make demo` (the main job) and `make test` (the test suite).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
MVN ?= mvn -B -ntp
SERVICES := bash infra/local/services.sh
# clients of the local services take endpoints and credentials from env.sh
WITH_ENV := source <(bash infra/local/env.sh) &&

.PHONY: test demo bench reliability build cocoeval services-up services-down services-status clean

## test: unit tests, then integration tests (*IT) against the real local Temporal, MLflow and S3 servers; the
## caption metrics' METEOR/SPICE parity tests run with the evaluator's jars (installed once by `make cocoeval`)
test: services-up cocoeval
	$(WITH_ENV) eval "set -- $$(bash infra/local/cocoeval.sh mvn-props)" && $(MVN) verify "$$@"

## demo: the whole pipeline on the shipped benchmark world (ABLATION=1: the 2x2 omega grid, SEEDS=1,2,3)
demo: services-up build
	$(WITH_ENV) bash infra/demo.sh

## bench: performance figures side by side with their references (issue 9; not part of test). BENCH_QUICK=1: smoke sizes
bench: services-up build
	refs=$$(bash bench/setup_python.sh) && eval "$$refs" && $(WITH_ENV) python3 bench/run_bench.py \
	  --classpath "$$(ls $(CURDIR)/cli/target/cli-*.jar | grep -v -e sources -e javadoc | head -n 1):$(CURDIR)/cli/target/lib/*" \
	  --torch-python "$$TORCH_PYTHON" --tokenizers-python "$$TOKENIZERS_PYTHON" --coco-python "$$COCO_PYTHON" \
	  $(if $(BENCH_QUICK),--quick,) $(if $(BENCH_ONLY),--only $(BENCH_ONLY),)

## reliability: the fault and bad-input suite on a private instance of the local services (RELIABILITY_POINTS=3)
reliability:
	bash infra/reliability.sh

## build: compile and package the CLI (bin/pformer) without running tests
build:
	$(MVN) -q -DskipTests -DskipITs package

## cocoeval: METEOR 1.5 and SPICE 1.0 (pycocoevalcap 1.2's jars, CoreNLP 3.6.0, Nashorn) into ~/.cache/pformer
cocoeval:
	bash infra/local/cocoeval.sh install

services-up:
	$(SERVICES) up

services-down:
	$(SERVICES) down

services-status:
	$(SERVICES) status

clean:
	$(MVN) -q clean
