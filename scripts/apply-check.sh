#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# apply-check.sh: TAP, one test per patch: patches/ applies in order to the
# pristine base. Uses a scratch index, so no work tree is touched.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

repo=$("$PROJ/scripts/base.sh") || exit 1
export GIT_DIR=$repo GIT_INDEX_FILE
GIT_INDEX_FILE=$(mktemp)
trap 'rm -f "$GIT_INDEX_FILE"' EXIT
git read-tree base

mapfile -t pl < <(series_patches)
echo "TAP version 13"
echo "1..${#pl[@]}"
[ ${#pl[@]} -gt 0 ] || echo "# no patches in patches/ yet"
n=0 fail=0
for p in "${pl[@]}"; do
	n=$((n + 1))
	if out=$(git apply --cached --whitespace=error-all "$p" 2>&1); then
		echo "ok $n apply $(basename "$p")"
	else
		echo "$out" | sed 's/^/# /'
		echo "not ok $n apply $(basename "$p")"
		fail=1
	fi
done
[ $fail -eq 0 ] && echo "# series tree: $(git write-tree)"
exit $fail
