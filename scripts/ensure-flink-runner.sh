#!/usr/bin/env bash
# Builds runtime/flink-sql-runner (shaded job jar + target/runner.classpath for a local MiniCluster),
# unless the jar was built from the same pom.xml and src/main (a digest of their contents: git checkouts do not keep
# file times, so a jar newer than a merged source can still be stale). Prints one line on stdout: a java command prefix;
# append `[--validate] [--tables <dir>] <script.sql | dir>`. Everything else goes to stderr.
#   eval "$(scripts/ensure-flink-runner.sh) --validate path/to/sql"
set -euo pipefail
RUNNER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../runtime/flink-sql-runner" && pwd)"
JAR="$RUNNER_DIR/target/flink-sql-runner.jar"
CLASSPATH_FILE="$RUNNER_DIR/target/runner.classpath"
BUILT_FROM="$RUNNER_DIR/target/.sources.sha256"
# Parallel test workers may call this at once: one build at a time (the lock is released on exit).
mkdir -p "$RUNNER_DIR/target"
exec 9>"$RUNNER_DIR/target/.ensure.lock"
flock 9

sources_digest() {
  (cd "$RUNNER_DIR" && find pom.xml src/main -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
}

up_to_date() {
  [ -f "$JAR" ] && [ -s "$CLASSPATH_FILE" ] || return 1
  [ -f "$BUILT_FROM" ] && [ "$(cat "$BUILT_FROM")" = "$(sources_digest)" ] || return 1
  local first; first="$(cut -d: -f1 "$CLASSPATH_FILE")" # the local Maven repository may have been wiped
  [ -f "$first" ]
}

if ! up_to_date; then
  if ! command -v mvn >/dev/null || ! command -v java >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "Installing Java 17 and Maven (apt-get) ..." >&2
      { apt-get update -q && apt-get install -y -q --no-install-recommends openjdk-17-jdk-headless maven; } >&2
    else
      echo "error: the Flink SQL runner needs Java 17 and Maven; install openjdk-17-jdk-headless and maven" >&2
      exit 1
    fi
  fi
  echo "Building the Flink SQL runner in $RUNNER_DIR ..." >&2
  (cd "$RUNNER_DIR" && mvn -q -B -Dstyle.color=never -DskipTests package) >&2
  sources_digest >"$BUILT_FROM"
fi

# Flink on Java 17 needs these opens for Kryo/reflection. Logs go to stdout (so stderr holds only the
# runner's one-line errors), quiet except the runner's own statement log.
JAVA_OPTS=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  -XX:+UseSerialGC
  -Dorg.slf4j.simpleLogger.logFile=System.out -Dorg.slf4j.simpleLogger.defaultLogLevel=warn
  -Dorg.slf4j.simpleLogger.log.dev.iotplatform=info)
printf 'java %s -cp %q dev.iotplatform.flink.SqlRunner\n' "${JAVA_OPTS[*]}" "$JAR:$(cat "$CLASSPATH_FILE")"
