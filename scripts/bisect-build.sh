#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bisect-build.sh [NAME]: TAP, one test per patch: with patches 1..k applied,
# the directories patch k touches compile with W=1 on config NAME (default
# test), so that every step of the series builds. The whole kernel is built
# (and linked) by the kernel stage at the last patch. Runs in a worktree of
# its own, in the cache, so the main build stays incremental; a step whose
# source tree already passed is not rebuilt.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

name=${1:-test}
cfg=$(build_dir "$name")/.config
[ -f "$cfg" ] || die "no $cfg: run scripts/config.sh $name first"
base=$(tree_base)
mapfile -t commits < <(git -C "$TREE" rev-list --reverse "$base..HEAD")
echo "TAP version 13"
echo "1..${#commits[@]}"
[ ${#commits[@]} -gt 0 ] || exit 0

key=$(printf '%s' "$TREE" | md5sum | cut -c1-8)
wt=$CACHE/bisect/$key/src
out=$CACHE/bisect/$key/out-$name
# Results hold for one config: a changed fragment invalidates them.
okdir=$CACHE/bisect/$key/ok-$name-$(md5sum < "$cfg" | cut -c1-8)
mkdir -p "$out" "$okdir"
worktree_at "$wt" "$base" || exit 1
cmp -s "$cfg" "$out/.config" || cp "$cfg" "$out/.config"

# warnings_in LOG FILE...: compiler messages about the given files.
warnings_in() {
	local log=$1 f
	shift
	for f in "$@"; do
		grep -E "(^|/)$f:[0-9]+(:[0-9]+)?: (warning|error):" "$log"
	done
	grep -E '^(make|ld|modpost).*(Error|ERROR|undefined)' "$log"
}

n=0 fail=0
for c in "${commits[@]}"; do
	n=$((n + 1))
	subj=$(git -C "$TREE" log -1 --format=%s "$c")
	tree=$(git -C "$TREE" rev-parse "$c^{tree}")
	if [ -f "$okdir/$tree" ]; then
		echo "ok $n builds: $subj # (cached)"
		continue
	fi
	files=$(git -C "$TREE" diff --name-only "$c^" "$c")
	dirs=$(echo "$files" |
		grep -E '^(drivers|include|mm|lib|kernel|arch|fs)/' |
		grep -v '^include/' | xargs -rn1 dirname | sort -u | sed 's|$|/|')
	# A header-only patch: build its users in the drivers the series touches.
	[ -n "$dirs" ] || dirs="drivers/pci/ drivers/vfio/"
	log=$LOGDIR/bisect-$n.log
	if git -C "$wt" checkout -q --detach "$c" >"$log" 2>&1 &&
	   kmake "$wt" "$out" olddefconfig >>"$log" 2>&1 &&
	   kmake "$wt" "$out" -j"$JOBS" W=1 \
		$dirs >>"$log" 2>&1 &&
	   ! warnings_in "$log" $files | grep -q .; then
		touch "$okdir/$tree"
		echo "ok $n builds: $subj"
	else
		warnings_in "$log" $files | head -20 | sed 's/^/# /'
		echo "not ok $n builds: $subj # log: $log"
		fail=1
	fi
done
exit $fail
