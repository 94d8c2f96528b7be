#!/bin/sh
# Runs every Check suite given; prints one summary line over all of them.
# CK_FORK stays on so that a crashing test is a failure, not the end of the run.
fail=0
for t in "$@"; do
	"$t" || fail=1
done
exit $fail
