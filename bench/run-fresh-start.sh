#!/usr/bin/env bash
# Time to steady state (issue 25): plain Avatica and the proxy (no warm-up; warm-up; warm-up + AppCDS; warm-up +
# AppCDS + a lower JIT threshold) started fresh, side by side, measured in windows from readiness. About 4 minutes
# with the defaults. Results: bench/results/fresh-start.{md,json}.
# Usage: bash bench/run-fresh-start.sh [horizon s, default 180] [window s, default 10]
#        [the warm-up's seconds/max_seconds, default 2/10 as the proxy's; N alone: N/N, one bound]
set -euo pipefail
cd "$(dirname "$0")/.."
# -am builds the modules it measures from this tree; the harness makes its own AppCDS archive for the bench jar
mvn -q -B -ntp -pl bench -am package -DskipTests -Dakkio.cds.skip=true
java -cp bench/target/akkio-bench.jar com.akkio.dbproxy.bench.FreshStartHarness "${1:-180}" "${2:-10}" "${3:-2/10}"
