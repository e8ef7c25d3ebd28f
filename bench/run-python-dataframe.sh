#!/usr/bin/env bash
# Python's seconds to a pandas DataFrame through each front end, and the write-back (bench/python_dataframe.py), from
# the repository root, against the demo with acme's limits lifted and its row cap and write limits raised to ROWS.
# Usage: bash bench/run-python-dataframe.sh [rows, default 1000000 [reads|writes|all|flight]]
#        (needs pyarrow (pip) and Debian's python3-pandas, -psycopg2, -jpype)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
# builds the proxy, the client jar and the bench jar of this tree (AKKIO_NO_BUILD=1: use them as they are)
[ "${AKKIO_NO_BUILD:-}" = 1 ] || mvn -q -B -ntp -pl bench -am package -DskipTests
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
cp -r conf "$dir/conf"
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
http=$(free_port); pg=$(free_port); fl=$(free_port)
sed -i "s/port: 8765/port: $http/; s/^  admin_host:/  admin_port: -1\n  admin_host:/; s/port: 5433/port: $pg/; s/port: 8815/port: $fl/; s|path: ../logs/audit.jsonl|path: $dir/audit.jsonl|" \
    "$dir/conf/proxy.yaml"
sed -i "s/^max_rows: .*/max_rows: $rows/; s/^max_write_rows: .*/max_write_rows: $rows/; s/^write_quota: .*/write_quota: { max_rows: $((rows * 8)) }/; s/^rate: .*/rate: { queries_per_second: 100000, burst: 100000, max_concurrent: 64 }/" \
    "$dir/conf/policies/acme.yaml"
java -Xmx1g --add-opens=java.base/java.nio=ALL-UNNAMED -jar proxy-server/target/akkio-proxy.jar serve --config "$dir/conf/proxy.yaml" > "$dir/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 90); do grep -q "listening on http" "$dir/serve.log" && break; sleep 1; done
PROXY_PID=$pid /usr/bin/python3 bench/python_dataframe.py driver-shim/target/akkio-jdbc.jar bench/target/akkio-bench.jar "$http" "$pg" "$fl" "$rows" "${2:-all}"
