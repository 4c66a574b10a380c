#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# demo.sh: `make`. Build the patched kernel (the test config), boot it in
# the QEMU guest and show, in a few lines, what the series lets a userspace
# driver do (guest/demo.list).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

echo "make: build the patched kernel and show it in a QEMU guest; logs in $LOGDIR" >&2
test_guest_stages &&
stage guest "$LOGDIR/guest-demo.log" "scripts/run-guest.sh test demo" "$PROJ/scripts/run-guest.sh" test demo ||
	exit 1

g=$OUT/guest-demo
echo
echo "In the guest ($(grep -m1 -o 'Linux version [^ ]*' "$g/console.log")):"
sed -n 's/^# \([^#].*\)$/  \1/p' "$g/tap.log" |
	grep -v '^  selftest:\|VDM-GUEST-DONE\|^  TAP version\|^  1\.\.[0-9]\|^  \(not \)\?ok [0-9]'
echo
# The same accounting as make check: results, guest finished, no splat.
if "$PROJ/scripts/tap-summary.py" --guest "$g" > "$g/summary.txt"; then
	echo "make: done; full guest output: $g/tap.log, console: $g/console.log"
else
	grep '^FAIL' "$g/summary.txt"
	echo "make: the demo failed; guest output: $g/tap.log, console: $g/console.log"
	exit 1
fi
