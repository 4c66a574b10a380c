#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bench-profile.sh: `make bench-profile`. Where the time and the slab
# objects of a BAR mmap()+munmap() through the device fd go, function by
# function, on the base kernel and on the patched one: both built with one
# config (configs/base.config + bench.config + profile.config, which adds
# the function_graph tracer), booted in the same guest, running
# guest/vfio_profile on the edu. PREV=<commit of this repo> adds the series
# of that commit (its patches/) as a third kernel, to measure a change of
# the series against the series before it in the same run. Writes
# bench/profile.md (scripts/bench-profile.py), which make bench's
# bench/RESULTS.md includes.
set -uo pipefail
export VDM_OUT=${VDM_OUT:-$(cd "$(dirname "$0")/.." && pwd)/out/bench-profile}
. "$(dirname "$0")/lib.sh"

key=$(printf '%s' "$TREE" | md5sum | cut -c1-8)
basewt=$CACHE/bench/$key/base-src
prevwt=$CACHE/bench/$key/prev-src
res=$OUT/results
cfgs=("$PROJ/configs/base.config" "$PROJ/configs/bench.config" "$PROJ/configs/profile.config")
prev=
if [ -n "${PREV:-}" ]; then
	prev=$(git -C "$PROJ" rev-parse --verify -q "${PREV}^{commit}") ||
		die "PREV=$PREV is not a commit of $PROJ"
fi

base_tree() { worktree_at "$basewt" "$(tree_base)"; }

# The series of commit $prev of this repo, applied to the base in $prevwt;
# left as it is if it already holds that series on this base (an
# incremental build).
prev_tree() {
	local mark=$prevwt.series tmp want patches
	want="$prev $(tree_base)"
	if [ -d "$prevwt" ] && [ "$(cat "$mark" 2>/dev/null)" = "$want" ]; then
		echo "prev: $prevwt holds the series of $prev"
		return 0
	fi
	rm -f "$mark"
	# A git am that failed last time is still in progress there
	[ -d "$prevwt" ] && { git -C "$prevwt" am --abort 2>/dev/null
			      git -C "$prevwt" reset -q --hard 2>/dev/null; }
	worktree_at "$prevwt" "$(tree_base)" || return 1
	tmp=$(mktemp -d)
	git -C "$PROJ" archive "$prev" patches | tar -x -C "$tmp" ||
		{ rm -rf "$tmp"; return 1; }
	patches=$(find "$tmp/patches" -name '[0-9][0-9][0-9][0-9]-*.patch' ! -name '0000-*' | sort)
	[ -n "$patches" ] || { echo "prev: $prev has no patches/"; rm -rf "$tmp"; return 1; }
	# shellcheck disable=SC2086 # one argument per patch file
	git -C "$prevwt" -c user.name=bench-profile -c user.email=bench-profile@localhost \
		am -q $patches || { git -C "$prevwt" am --abort; rm -rf "$tmp"; return 1; }
	rm -rf "$tmp"
	echo "$want" > "$mark"
	echo "prev: the series of $prev in $prevwt"
}

# kernel WHICH SRC: the config and the build of the profile kernel of SRC
kernel() {
	KERNEL_SRC=$2 "$PROJ/scripts/config.sh" profile "${cfgs[@]}" &&
	KERNEL_SRC=$2 "$PROJ/scripts/build-kernel.sh" profile
}

# guest WHICH SRC: boot the profile kernel of SRC, keep its results
guest() {
	mkdir -p "$OUT/lists"
	echo "vfio_profile 1500s vfio_profile 0000:00:03.0" > "$OUT/lists/profile.list"
	KERNEL_SRC=$2 "$PROJ/scripts/initramfs.sh" profile &&
	# One vCPU: ftrace patches kernel text live, once per function timed,
	# and under TCG a second vCPU can hit an int3 the patching has left
	# (seen: "Oops: int3" in rcu_segcblist_pend_cbs()). -icount shift=0:
	# the guest's clock counts instructions, one per ns, so that the
	# profile is the same in every run and on every host (TCG's own
	# times vary by 2x between runs).
	KERNEL_SRC=$2 GUEST_SMP=1 GUEST_QEMU_ARGS="-icount shift=0,sleep=off" \
		"$PROJ/scripts/run-guest.sh" profile profile &&
	rm -rf "${res:?}/$1" && mkdir -p "$res" && cp -r "$OUT/guest-profile" "$res/$1" &&
	"$PROJ/scripts/tap-summary.py" --guest "$res/$1"
}

kernels=("base:$basewt")
[ -n "$prev" ] && kernels+=("prev:$prevwt")
kernels+=("patched:$TREE")
echo "make bench-profile: ${kernels[*]%%:*}; logs in $LOGDIR" >&2
stage deps "$LOGDIR/deps.log" "make deps" "$PROJ/scripts/deps.sh" &&
stage tree "$LOGDIR/tree.log" "make tree" tree_or_create &&
stage base-tree "$LOGDIR/profile-base-tree.log" "scripts/bench-profile.sh" base_tree ||
	{ echo "make bench-profile: failed" >&2; exit 1; }
if [ -n "$prev" ]; then
	stage prev-tree "$LOGDIR/profile-prev-tree.log" "PREV=$PREV scripts/bench-profile.sh" prev_tree ||
		{ echo "make bench-profile: failed" >&2; exit 1; }
fi
for k in "${kernels[@]}"; do
	stage "kernel-${k%%:*}" "$LOGDIR/profile-kernel-${k%%:*}.log" \
		"KERNEL_SRC=${k#*:} scripts/build-kernel.sh profile (after scripts/config.sh profile ${cfgs[*]#$PROJ/})" \
		kernel "${k%%:*}" "${k#*:}" || { echo "make bench-profile: failed" >&2; exit 1; }
done
stage tests-build "$LOGDIR/profile-tests-build.log" "scripts/build-tests.sh profile" \
	"$PROJ/scripts/build-tests.sh" profile || { echo "make bench-profile: failed" >&2; exit 1; }
for k in "${kernels[@]}"; do
	stage "guest-${k%%:*}" "$LOGDIR/profile-guest-${k%%:*}.log" "make bench-profile" \
		guest "${k%%:*}" "${k#*:}" || { echo "make bench-profile: failed" >&2; exit 1; }
done
stage report "$LOGDIR/profile-report.log" "scripts/bench-profile.py $res $PROJ/bench/profile.md" \
	"$PROJ/scripts/bench-profile.py" "$res" "$PROJ/bench/profile.md" ||
	{ echo "make bench-profile: failed" >&2; exit 1; }
echo "make bench-profile: done in $(elapsed); $PROJ/bench/profile.md" >&2
