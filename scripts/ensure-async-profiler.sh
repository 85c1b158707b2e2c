#!/usr/bin/env bash
# Fetches async-profiler (the CPU profiler the benchmarks attach to Flink's JVM) from Maven Central into the local
# Maven repository and unpacks its Linux agent into a cache folder. Prints one line on stdout: the agent's path
# (for -agentpath:). Everything else goes to stderr.
set -euo pipefail
VERSION="4.2"
case "$(uname -m)" in
  x86_64) PLATFORM=linux-x64 ;;
  aarch64 | arm64) PLATFORM=linux-arm64 ;;
  *) echo "error: async-profiler has no agent for $(uname -m)" >&2; exit 1 ;;
esac
CACHE="${IOT_PLATFORM_CACHE:-$HOME/.cache/iot-platform}/async-profiler-$VERSION"
AGENT="$CACHE/$PLATFORM/libasyncProfiler.so"
if [ ! -f "$AGENT" ]; then
  JAR="$HOME/.m2/repository/tools/profiler/async-profiler/$VERSION/async-profiler-$VERSION.jar"
  [ -f "$JAR" ] || mvn -q -B dependency:get "-Dartifact=tools.profiler:async-profiler:$VERSION" >&2
  mkdir -p "$CACHE"
  (cd "$CACHE" && jar xf "$JAR" "$PLATFORM/libasyncProfiler.so")
fi
echo "$AGENT"
