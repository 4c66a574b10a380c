#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check-slow.sh: `make check-slow`. make check's guest list on a slowed
# guest, to show that its budgets are not tight: GUESTS guests (default 2)
# run the list at the same time on the same cores, so each gets about
# 1/GUESTS of the CPU time a guest of make check gets, with the same
# budgets and the same accounting (scripts/tap-summary.py --list). Needs
# the test kernel and initramfs, which it builds as make does.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

guests=${GUESTS:-2}
echo "make check-slow: $guests guests of guest/tests.list at once; logs in $LOGDIR" >&2
test_guest_stages || exit 1

pids=()
for i in $(seq "$guests"); do
	GUEST_DIR=$OUT/guest-slow$i "$PROJ/scripts/run-guest.sh" test tests \
		> "$LOGDIR/guest-slow$i.log" 2>&1 &
	pids+=($!)
done
printf '[%s] %-28s ' "$(elapsed)" "guests ($guests at once)" >&2
t0=$(date +%s)
for p in "${pids[@]}"; do wait "$p"; done
printf 'done (%ss)\n' $(( $(date +%s) - t0 )) >&2

rc=0
for i in $(seq "$guests"); do
	g=$OUT/guest-slow$i
	echo "guest $i of $guests ($g; run log $LOGDIR/guest-slow$i.log):"
	grep -h '^# [A-Za-z0-9_@-]*: [0-9]* s of its' "$g/tap.log" | sed 's/^# /  /'
	"$PROJ/scripts/tap-summary.py" --guest "$g" --list "$PROJ/guest/tests.list" \
		> "$g/summary.txt" || rc=1
	grep '^FAIL\|passed,' "$g/summary.txt"
done
echo "make check-slow: $( [ $rc -eq 0 ] && echo PASSED || echo FAILED ) in $(elapsed)" >&2
exit $rc
