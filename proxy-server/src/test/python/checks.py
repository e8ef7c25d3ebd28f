"""The client test scripts' bookkeeping: each check runs, reports PASS or FAIL on its own line, and the script ends
with one summary line the Java test looks for ('LABEL: N passed, M failed') and a non-zero exit on any failure."""
import sys

_results = []


def check(name, fn, *args):
    try:
        fn(*args)
        _results.append(True)
        print(f"PASS {name}", flush=True)
    except Exception as e:  # report and go on: every check runs
        _results.append(False)
        print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)


def finish(label):
    passed = sum(_results)
    print(f"{label}: {passed} passed, {len(_results) - passed} failed", flush=True)
    sys.exit(0 if passed == len(_results) else 1)
