#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# export-check.sh: fail, naming what differs, when the work tree holds edits
# or commits that patches/ does not (i.e. 'make export' would change it).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -d "$TREE/.git" ] || exit 0	# no work tree: nothing can be lost
rc=0
dirty=$(git -C "$TREE" status --porcelain --untracked-files=no)
if [ -n "$dirty" ]; then
	echo "export-check: uncommitted changes in $TREE:"
	echo "$dirty" | sed 's/^/    /'
	rc=1
fi
cur=$(git -C "$TREE" symbolic-ref -q --short HEAD || echo '(detached)')
if [ "$cur" != "$SERIES_BRANCH" ]; then
	echo "export-check: $TREE is on '$cur', not '$SERIES_BRANCH'"
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PROJ/scripts/export.sh" "$tmp" >/dev/null
want=$(cd "$tmp" && ls | sort)
have=$(cd "$PROJ/patches" && ls [0-9][0-9][0-9][0-9]-*.patch 2>/dev/null | sort)
for f in $(printf '%s\n%s\n' "$want" "$have" | sort -u); do
	if [ ! -f "$PROJ/patches/$f" ]; then
		echo "export-check: patches/$f missing (commit in $TREE not exported)"
		rc=1
	elif [ ! -f "$tmp/$f" ]; then
		echo "export-check: patches/$f is not in $TREE (stale, or tree not rebuilt: make tree)"
		rc=1
	elif ! cmp -s "$tmp/$f" "$PROJ/patches/$f"; then
		echo "export-check: patches/$f differs from the commit in $TREE"
		rc=1
	fi
done
[ $rc -eq 0 ] || echo "export-check: run 'make export' to write the tree to patches/"
exit $rc
