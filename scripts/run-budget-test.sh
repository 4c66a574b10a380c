#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# run-budget-test.sh: TAP, the tests of guest/run-budget (the guest's
# per-program budget) under the host's busybox sh, as the guest runs it.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

rb="busybox sh $PROJ/guest/run-budget"
command -v busybox >/dev/null || die "busybox missing: run 'make deps'"
n=0 bad=0
check() {	# check NAME CONDITION...: one TAP line
	local name=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n $name"
	else
		echo "not ok $n $name"
		bad=1
	fi
}

echo "TAP version 13"
echo "1..5"
out=$($rb 30 'echo one; exit 4')
rc=$?
check "a program's status passes through" [ $rc -eq 4 ]
check "a program's output passes through" [ "$out" = one ]

# Over budget: a program that ignores TERM and has a child of its own.
# Read through a pipe, as the guest does: the pipe must end with the budget
# (2 s, and 5 s from TERM to KILL), not when the child would have (60 s).
t0=$(date +%s)
out=$(timeout 30 $rb 2 'trap "" TERM; echo start; (sleep 60; echo late) & sleep 60' | cat)
rc=${PIPESTATUS[0]}
t=$(( $(date +%s) - t0 ))
echo "# over budget: exit $rc after $t s, output: $(echo $out)"
check "a program over its budget exits 124" [ "$rc" -eq 124 ]
check "the whole process group goes with it, within the budget and 5 s" [ $t -le 9 ]
check "nothing of it prints after the budget" [ "$out" = start ]
exit $bad
