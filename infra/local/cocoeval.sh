#!/usr/bin/env bash
# The COCO caption evaluator's Java programs, for METEOR 1.5 and SPICE 1.0 (the only caption metrics not
# reimplemented in the JVM): taken from the pycocoevalcap 1.2 wheel on PyPI, plus what SPICE needs from Maven
# Central (Stanford CoreNLP 3.6.0 with its models, and Nashorn + ASM because Java 15+ dropped the script engine).
#
# usage: cocoeval.sh install   # idempotent; into $PFORMER_CACHE/cocoeval-1.2
#        cocoeval.sh env       # prints PFORMER_METEOR_JAR / PFORMER_SPICE_JAR / PFORMER_SPICE_CLASSPATH exports
#        cocoeval.sh mvn-props # prints the -Dpformer.test.* arguments (shell-quoted) that point the datasets module's
#                              # METEOR and SPICE parity tests at the installed jars (`make test` passes them)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

COCOEVAL_VERSION=1.2
dir="$PFORMER_CACHE/cocoeval-$COCOEVAL_VERSION"
# what `install` puts there, as `env` and `mvn-props` hand it out (the class path's `dir/*` is expanded by java)
meteor_jar="$dir/meteor/meteor-1.5.jar"
spice_jar="$dir/spice/spice-1.0.jar"
spice_classpath="$dir/nashorn/*"

install() {
  [ -f "$dir/.installed" ] && return 0
  log "installing the caption evaluator's METEOR and SPICE jars (pycocoevalcap $COCOEVAL_VERSION + CoreNLP 3.6.0) ..."
  rm -rf "$dir.part" && mkdir -p "$dir.part"
  local dl; dl=$(mktemp -d)
  python3 -m pip download -q --disable-pip-version-check --no-deps "pycocoevalcap==$COCOEVAL_VERSION" -d "$dl" >&2 \
    || die "cannot download pycocoevalcap==$COCOEVAL_VERSION from PyPI"
  unzip -q -o "$dl"/pycocoevalcap-*.whl 'pycocoevalcap/meteor/*' 'pycocoevalcap/spice/*' -x '*.py' -d "$dl/x"
  mv "$dl/x/pycocoevalcap/meteor" "$dl/x/pycocoevalcap/spice" "$dir.part/"
  mvn -q -B -ntp dependency:copy -Dartifact=edu.stanford.nlp:stanford-corenlp:3.6.0 -DoutputDirectory="$dir.part/spice/lib" >&2 \
    && mvn -q -B -ntp dependency:copy -Dartifact=edu.stanford.nlp:stanford-corenlp:3.6.0:jar:models \
         -DoutputDirectory="$dir.part/spice/lib" >&2 \
    || die "cannot download Stanford CoreNLP 3.6.0 (and its models) from Maven Central"
  mvn -q -B -ntp dependency:copy -Dartifact=org.openjdk.nashorn:nashorn-core:15.4 -DoutputDirectory="$dir.part/nashorn" >&2 \
    || die "cannot download org.openjdk.nashorn:nashorn-core:15.4 from Maven Central"
  for a in asm asm-commons asm-tree asm-util asm-analysis; do
    mvn -q -B -ntp dependency:copy -Dartifact="org.ow2.asm:$a:7.3.1" -DoutputDirectory="$dir.part/nashorn" >&2 \
      || die "cannot download org.ow2.asm:$a:7.3.1 from Maven Central"
  done
  rm -rf "$dl" "$dir"
  mv "$dir.part" "$dir"
  touch "$dir/.installed"
}

case "${1:-}" in
  install) with_lock() { ( flock 8; install ) 8>"$PFORMER_CACHE/.cocoeval.lock"; }; with_lock ;;
  env)
    if [ -f "$dir/.installed" ]; then
      echo "export PFORMER_METEOR_JAR='$meteor_jar'"
      echo "export PFORMER_SPICE_JAR='$spice_jar'"
      echo "export PFORMER_SPICE_CLASSPATH='$spice_classpath'"
    fi ;;
  mvn-props)
    [ -f "$dir/.installed" ] || die "the caption evaluator's jars are not installed: run 'cocoeval.sh install' first"
    printf '%q ' "-Dpformer.test.meteor.jar=$meteor_jar" "-Dpformer.test.spice.jar=$spice_jar" \
      "-Dpformer.test.spice.classpath=$spice_classpath"
    echo ;;
  *) die "usage: cocoeval.sh install|env|mvn-props" ;;
esac
