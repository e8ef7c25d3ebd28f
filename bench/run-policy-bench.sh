#!/usr/bin/env bash
# Runs the JMH benchmarks of the policy engine and the audit log (about 5 minutes on 2 cores) and prints median and p99 per benchmark.
# Results: bench/results/policy-jmh.json (raw JMH) and bench/results/policy-jmh.md (table and machine).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f bench/target/akkio-bench.jar ] || mvn -q -B -ntp -pl bench -am package -DskipTests
mkdir -p bench/results
java -jar bench/target/akkio-bench.jar "PolicyEngineBenchmark|TpcdsPolicyBenchmark|AuditLogBenchmark" \
  -jvmArgsAppend "-Dakkio.tpcds=${AKKIO_TPCDS:-$(cd .. && pwd)/shared/corpus/tpcds-spark}" \
  -rf json -rff bench/results/policy-jmh.json "$@"
python3 - <<'PY'
import json, platform, subprocess
rows = json.load(open("bench/results/policy-jmh.json"))
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
lines = ["# Policy engine benchmark (JMH, sample time)", "",
         f"Machine: {cpu}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores, {java}", "",
         "| benchmark | param | median µs | p99 µs |", "|---|---|---:|---:|"]
seen = set()
for r in rows:
    name = r["benchmark"].rsplit(".", 1)[1]
    param = r.get("params", {}).get("query", "")
    if (name, param) in seen:
        continue
    seen.add((name, param))
    p = r["primaryMetric"]["scorePercentiles"]
    lines.append(f"| {name} | {param} | {p['50.0']:.2f} | {p['99.0']:.2f} |")
open("bench/results/policy-jmh.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
