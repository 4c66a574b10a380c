#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch.sh: TAP, one test per patch: scripts/checkpatch.pl --strict
# reports 0 errors, 0 warnings and 0 checks. Exceptions are listed, with the
# reason, in checkpatch.exceptions (one "patch-file-glob message-regex # why"
# per line); an excepted message is reported, not counted. --no-signoff:
# patches/ carries no Signed-off-by: (only the sender adds it, make series),
# and series-check.sh checks that what make series writes has it.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ -x "$TREE/scripts/checkpatch.pl" ] || die "no work tree at $TREE: run 'make tree'"
exc=$PROJ/checkpatch.exceptions
mapfile -t pl < <(series_patches)
echo "TAP version 13"
echo "1..${#pl[@]}"
n=0 fail=0
for p in "${pl[@]}"; do
	n=$((n + 1))
	name=$(basename "$p")
	# Debian's python3 (with python3-ply for spdxcheck.py) before any other.
	out=$(cd "$TREE" && PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict --no-signoff \
		--showfile --terse \
		--no-summary "$p" 2>&1)
	bad=0
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		excused=
		if [ -f "$exc" ]; then
			while read -r glob rx _; do
				case $glob in ''|'#'*) continue ;; esac
				# shellcheck disable=SC2254
				case $name in $glob) echo "$line" | grep -qE "$rx" && excused=1 ;; esac
			done < "$exc"
		fi
		if [ -n "$excused" ]; then
			echo "# excepted (see checkpatch.exceptions): $line"
		else
			echo "# $line"
			bad=$((bad + 1))
		fi
	done <<< "$out"
	if [ $bad -eq 0 ]; then
		echo "ok $n checkpatch $name"
	else
		echo "not ok $n checkpatch $name ($bad messages)"
		fail=1
	fi
done
exit $fail
