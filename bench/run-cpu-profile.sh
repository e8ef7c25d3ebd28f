#!/usr/bin/env bash
# Where a server's CPU goes per statement (issue 25): plain Avatica and the proxy side by side, the analytics query as
# the same text, with a new literal and as a new shape, in alternating windows; with perf (if it can sample here) each
# part's microseconds per statement. About 5 minutes with the defaults. Results: bench/results/server-cpu-profile.md.
# Usage: bash bench/run-cpu-profile.sh [warm-up s, default 120] [rounds, default 3] [s per window, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -ntp -pl bench -am package -DskipTests -Dakkio.cds.skip=true
java --add-opens=java.base/java.nio=ALL-UNNAMED -cp bench/target/akkio-bench.jar \
    com.akkio.dbproxy.bench.ServerCpuProfile "${1:-120}" "${2:-3}" "${3:-10}"
