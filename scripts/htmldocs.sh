#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# htmldocs.sh: `make htmldocs` (not part of make check: it takes minutes).
# Runs the kernel's own `make htmldocs` with Debian's Sphinx on the
# Documentation/ directories the series changes (SPHINXDIRS), in a build
# directory of its own in the cache, as TAP: one test per .rst file the
# series touches, failing on any Sphinx warning or error that names it.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

"$PROJ/scripts/deps.sh" python3-sphinx python3-yaml >&2 || exit 1
[ -d "$TREE/.git" ] || "$PROJ/scripts/tree.sh" >&2 || exit 1

mapfile -t docs < <(series_files '^Documentation/.*\.rst$')
echo "TAP version 13"
if [ ${#docs[@]} -eq 0 ]; then
	echo "1..0 # SKIP the series changes no .rst file"
	exit 0
fi
echo "1..${#docs[@]}"
# The smallest directories under Documentation/ that hold them
dirs=$(printf '%s\n' "${docs[@]}" | sed -E 's|^Documentation/([^/]+)/.*|\1|' | sort -u | paste -sd' ')
out=$CACHE/build/htmldocs
log=$LOGDIR/htmldocs.log
mkdir -p "$out"
start=$SECONDS
make -C "$TREE" O="$out" SPHINXDIRS="$dirs" htmldocs > "$log" 2>&1
rc=$?
echo "# make htmldocs SPHINXDIRS=\"$dirs\": exit $rc in $((SECONDS - start))s, log $log"
n=0 fail=0
for d in "${docs[@]}"; do
	n=$((n + 1))
	msgs=$(grep -E "(^|/)$d(:[0-9]+)?: (WARNING|ERROR|CRITICAL|SEVERE)" "$log")
	if [ $rc -eq 0 ] && [ -z "$msgs" ]; then
		echo "ok $n htmldocs $d"
	else
		echo "$msgs" | head -20 | sed 's/^/# /'
		echo "not ok $n htmldocs $d # log: $log; repro: make htmldocs"
		fail=1
	fi
done
exit $fail
