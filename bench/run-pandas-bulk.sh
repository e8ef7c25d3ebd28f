#!/usr/bin/env bash
# pandas bulk write-back and reads through the PostgreSQL front end (bench/pandas_bulk.py), from the repository
# root, against the demo with acme's own rate limit (not lifted) and its row cap raised so 100,000 rows can be read.
# Usage: bash bench/run-pandas-bulk.sh [rows, default 100000]   (needs Debian's python3-pandas, -psycopg2, -sqlalchemy)
set -euo pipefail
cd "$(dirname "$0")/.."
# builds the proxy of this tree (AKKIO_NO_BUILD=1: use proxy-server/target/akkio-proxy.jar as it is)
[ "${AKKIO_NO_BUILD:-}" = 1 ] || mvn -q -B -ntp -pl proxy-server -am package -DskipTests
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
cp -r conf "$dir/conf"
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pg=$(free_port); http=$(free_port)
sed -i "s/port: 8765/port: $http/; s/^  admin_host:/  admin_port: -1\n  admin_host:/; s/port: 5433/port: $pg/; s|path: ../logs/audit.jsonl|path: $dir/audit.jsonl|" \
    "$dir/conf/proxy.yaml"
sed -i 's/^max_rows: .*/max_rows: 1000000/' "$dir/conf/policies/acme.yaml"
java -Xmx1g -jar proxy-server/target/akkio-proxy.jar serve --config "$dir/conf/proxy.yaml" > "$dir/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 60); do grep -q "listening on http" "$dir/serve.log" && break; sleep 1; done
/usr/bin/python3 bench/pandas_bulk.py "$pg" "${1:-100000}"
echo "throttled statements: $(grep -c '"decision":"throttled"' "$dir/audit.jsonl" || true)"
