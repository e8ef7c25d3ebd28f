#!/usr/bin/env bash
# Compares this working tree's proxy with the one built from another revision, in one run (about 7 minutes):
# SELECT 1 and the analytics query, alternating between the two servers. Prints a table with this / base.
# Usage, from anywhere in the repository: bash bench/compare.sh <revision> [seconds per throughput step, default 4]
set -euo pipefail
cd "$(dirname "$0")/.."
revision=$(git rev-parse --verify "${1:?usage: bash bench/compare.sh <revision> [seconds]}^{commit}")
base=$(mktemp -d)
trap 'git worktree remove --force "$base"' EXIT
git worktree add --detach -q "$base" "$revision"
# -am builds each tree's own modules, never the local Maven repository's
(cd "$base" && mvn -q -B -ntp -pl bench -am package -DskipTests)
mvn -q -B -ntp -pl bench -am package -DskipTests
java -cp bench/target/akkio-bench.jar com.akkio.dbproxy.bench.RevisionComparison \
    "$base/bench/target/akkio-bench.jar" "${2:-4}"
