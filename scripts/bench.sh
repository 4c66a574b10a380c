#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bench.sh: `make bench`. Build the base kernel (no series) and the patched
# kernel with one benchmark config (configs/base.config + bench.config),
# boot each in the same guest, run guest/vfio_bench (REPS repetitions,
# default 21) in both, and write bench/RESULTS.md and bench/scaling.png
# (scripts/bench-report.py, gnuplot). The base kernel is built from a
# worktree of the base commit in the cache.
set -uo pipefail
# Its own output directory: a make check beside it keeps its programs,
# initramfs and guest results.
export VDM_OUT=${VDM_OUT:-$(cd "$(dirname "$0")/.." && pwd)/out/bench}
. "$(dirname "$0")/lib.sh"

reps=${REPS:-21}
key=$(printf '%s' "$TREE" | md5sum | cut -c1-8)
basewt=$CACHE/bench/$key/base-src
res=$OUT/results
cfgs=("$PROJ/configs/base.config" "$PROJ/configs/bench.config")

base_tree() { worktree_at "$basewt" "$(tree_base)"; }

# guest KERNEL: boot the bench kernel of the tree KERNEL (base, patched)
guest() {
	local src=$TREE
	[ "$1" = base ] && src=$basewt
	mkdir -p "$OUT/lists"
	echo "vfio_bench 3000s vfio_bench --reps $reps 0000:00:03.0 0000:00:04.0 0000:00:05.0" \
		> "$OUT/lists/bench.list"
	KERNEL_SRC=$src "$PROJ/scripts/initramfs.sh" bench &&
	KERNEL_SRC=$src "$PROJ/scripts/run-guest.sh" bench bench &&
	rm -rf "${res:?}/$1" && mkdir -p "$res" && cp -r "$OUT/guest-bench" "$res/$1" &&
	"$PROJ/scripts/tap-summary.py" --guest "$res/$1"
}

echo "make bench: base and patched kernel, $reps repetitions; logs in $LOGDIR" >&2
stage deps "$LOGDIR/deps.log" "make deps" "$PROJ/scripts/deps.sh" gnuplot-nox &&
stage tree "$LOGDIR/tree.log" "make tree" tree_or_create &&
stage base-tree "$LOGDIR/bench-base-tree.log" "scripts/bench.sh" base_tree &&
stage config-base "$LOGDIR/bench-config-base.log" "KERNEL_SRC=$basewt scripts/config.sh bench configs/base.config configs/bench.config" \
	env KERNEL_SRC="$basewt" "$PROJ/scripts/config.sh" bench "${cfgs[@]}" &&
stage kernel-base "$LOGDIR/bench-kernel-base.log" "KERNEL_SRC=$basewt scripts/build-kernel.sh bench" \
	env KERNEL_SRC="$basewt" "$PROJ/scripts/build-kernel.sh" bench &&
stage config "$LOGDIR/bench-config.log" "scripts/config.sh bench configs/base.config configs/bench.config" \
	"$PROJ/scripts/config.sh" bench "${cfgs[@]}" &&
stage kernel "$LOGDIR/bench-kernel.log" "scripts/build-kernel.sh bench" \
	"$PROJ/scripts/build-kernel.sh" bench &&
stage tests-build "$LOGDIR/bench-tests-build.log" "scripts/build-tests.sh bench" \
	"$PROJ/scripts/build-tests.sh" bench &&
stage guest-base "$LOGDIR/bench-guest-base.log" "make bench" guest base &&
stage guest-patched "$LOGDIR/bench-guest-patched.log" "make bench" guest patched &&
stage report "$LOGDIR/bench-report.log" "scripts/bench-report.py $res bench" \
	"$PROJ/scripts/bench-report.py" "$res" "$PROJ/bench" ||
	{ echo "make bench: failed" >&2; exit 1; }
echo
cat "$PROJ/bench/table.txt"
echo "make bench: done in $(elapsed); $PROJ/bench/RESULTS.md, $PROJ/bench/scaling.png" >&2
