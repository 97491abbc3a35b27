# The two commands: `make demo` (the main job) and `make test` (the test suite).
SHELL := /bin/bash
MVN ?= mvn -B -ntp

.PHONY: test build clean

test:
	$(MVN) verify

build:
	$(MVN) -DskipTests -DskipITs package

clean:
	$(MVN) -q clean
