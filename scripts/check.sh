#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check.sh: `make check`. Every stage prints one line with the elapsed time;
# a failing stage names its log and a command that reproduces just it. The
# run ends with tap-summary.py's table and "N passed, N failed, N skipped".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

R=$OUT/check
rm -rf "$R"
mkdir -p "$R"
stages=$R/stages.tap
: > "$stages"
n=0
fatal=0

# run NAME REPRO CMD...: one stage, recorded as a test in stages.tap.
run() {
	local name=$1 repro=$2
	shift 2
	n=$((n + 1))
	if [ $fatal -ne 0 ]; then
		echo "ok $n $name # SKIP an earlier stage failed" >> "$stages"
		return 1
	fi
	if stage "$name" "$LOGDIR/$name.log" "$repro" "$@"; then
		echo "ok $n $name" >> "$stages"
	else
		echo "not ok $n $name # log: $LOGDIR/$name.log" >> "$stages"
		return 1
	fi
}

tap_stage() {	# tap_stage NAME SCRIPT: a stage whose script writes TAP
	${NICE:-} "$PROJ/scripts/$2" > "$R/$1.tap"
}

tree_stage() {
	if [ ! -d "$TREE/.git" ]; then
		"$PROJ/scripts/tree.sh"
	else
		"$PROJ/scripts/export-check.sh" || {
			echo "the work tree is not patches/: 'make export' keeps the tree," \
			     "'make tree FORCE=1' resets it to patches/"
			return 1
		}
		echo "tree: $TREE matches patches/"
	fi
}

guest_stage() {
	local rc=0
	"$PROJ/scripts/run-guest.sh" test tests || rc=$?
	[ -d "$OUT/guest-tests" ] && cp -r "$OUT/guest-tests" "$R/"
	return $rc
}

echo "make check: series in patches/, kernel tree $TREE, logs in $LOGDIR" >&2
run deps "make deps" "$PROJ/scripts/deps.sh" || fatal=1
run harness "scripts/tap-summary-test.py" tap_stage harness tap-summary-test.py
run harness-profile "scripts/bench-profile-test.py" tap_stage harness-profile bench-profile-test.py
run harness-budget "scripts/run-budget-test.sh" tap_stage harness-budget run-budget-test.sh
run base "scripts/base.sh" "$PROJ/scripts/base.sh" || fatal=1
run apply "scripts/apply-check.sh" tap_stage apply apply-check.sh || fatal=1
run tree "make tree" tree_stage || fatal=1
# checkpatch and series need only the tree: they run (beside the guest,
# below) even if the kernel does not build.
tree_fatal=$fatal
run config "scripts/config.sh test configs/base.config configs/debug.config" \
	"$PROJ/scripts/config.sh" test "$PROJ/configs/base.config" "$PROJ/configs/debug.config" || fatal=1
run kernel "scripts/build-kernel.sh test" "$PROJ/scripts/build-kernel.sh" test || fatal=1
run tests-build "scripts/build-tests.sh test" "$PROJ/scripts/build-tests.sh" test || fatal=1
run initramfs "scripts/initramfs.sh test" "$PROJ/scripts/initramfs.sh" test || fatal=1
# The guest keeps one to two cores busy (one test program at a time, under
# TCG): checkpatch, series, bisect and warnings, which do not need the
# kernel, run beside it at the lowest priority, on what the guest leaves
# idle, so that they do not slow it down (at nice 0 they cost the guest
# about as much time as they took). The guest's stage line is printed
# when it ends; its budgets leave room for sharing the cores (make
# check-slow runs two whole guests at once).
guest_pid=
n=$((n + 1))
guest_n=$n
if [ $fatal -eq 0 ]; then
	printf '[%s] %-28s started: checkpatch, series, bisect and warnings run beside it\n' "$(elapsed)" guest >&2
	stage guest "$LOGDIR/guest.log" "scripts/run-guest.sh test tests" guest_stage \
		2> "$R/guest.line" &
	guest_pid=$!
else
	echo "ok $n guest # SKIP an earlier stage failed" >> "$stages"
fi
kernel_fatal=$fatal
fatal=$tree_fatal
NICE="nice -n 19" run checkpatch "scripts/checkpatch.sh" tap_stage checkpatch checkpatch.sh
NICE="nice -n 19" run series "scripts/series-check.sh" tap_stage series series-check.sh
fatal=$kernel_fatal
NICE="nice -n 19" run bisect "scripts/bisect-build.sh test" tap_stage bisect bisect-build.sh
NICE="nice -n 19" run warnings "scripts/warnings.sh test" tap_stage warnings warnings.sh
if [ -n "$guest_pid" ]; then
	[ -d "/proc/$guest_pid" ] &&
		printf '[%s] %-28s waiting for the guest\n' "$(elapsed)" guest >&2
	wait "$guest_pid"
	rc=$?
	cat "$R/guest.line" >&2
	if [ $rc -eq 0 ]; then
		echo "ok $guest_n guest" >> "$stages"
	else
		echo "not ok $guest_n guest # log: $LOGDIR/guest.log" >> "$stages"
	fi
fi

taps=(--tap "stages=$stages")
for t in harness harness-profile harness-budget apply checkpatch series bisect warnings; do
	[ -f "$R/$t.tap" ] && taps+=(--tap "$t=$R/$t.tap")
done
[ -d "$R/guest-tests" ] && taps+=(--guest "$R/guest-tests")
# The list names the KUnit suites the kernel must run and the only skips
# the run may have.
taps+=(--list "$PROJ/guest/tests.list")
echo >&2
"$PROJ/scripts/tap-summary.py" "${taps[@]}" | tee "$R/summary.txt"
rc=${PIPESTATUS[0]}
echo "make check: $( [ $rc -eq 0 ] && echo PASSED || echo FAILED ) in $(elapsed); results in $R" >&2
exit $rc
