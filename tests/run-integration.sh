#!/bin/sh
# Runs every tests/integration/*.sh with BIN (the binaries' folder) set.
# Each script prints "ok"/"FAIL" lines and exits non-zero on any failure.
set -u
dir=$(dirname "$0")/integration
pass=0; fail=0; failed=""
for t in "$dir"/*.sh; do
	echo "== $(basename "$t")"
	if timeout 600 sh "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); failed="$failed $(basename "$t")"; fi
done
[ -n "$failed" ] && echo "failed:$failed"
echo "integration: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
