#!/usr/bin/env bash
# The benchmark of issue 6, from the repository root: the server harness (direct DuckDB, plain Avatica and this
# proxy side by side; about 8 minutes, most of it warming the servers up), then the JMH benchmarks of the policy
# engine and the audit log (about 5 minutes). Results: bench/results/server-load.{md,json} and bench/results/policy-jmh.{md,json}.
# Usage: bash bench/run.sh [seconds per throughput step, default 4]
set -euo pipefail
cd "$(dirname "$0")/.."
# -am builds the modules it measures from this tree, never from the local Maven repository
mvn -q -B -ntp -pl bench -am package -DskipTests
# the Arrow Flight SQL JDBC driver (the harness's Flight target) needs java.nio open, as Arrow does in the servers
java --add-opens=java.base/java.nio=ALL-UNNAMED -cp bench/target/akkio-bench.jar \
    com.akkio.dbproxy.bench.ServerLoadHarness "${1:-4}"
echo
bash bench/run-policy-bench.sh
