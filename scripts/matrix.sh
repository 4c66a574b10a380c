#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# matrix.sh: `make check-matrix`. Build the final series in configurations
# that the test kernel does not cover, as TAP, one test per entry: x86_64
# without P2PDMA, i386 with vfio-pci as modules, arm64 (cross), and on
# arm64 the variant drivers nvgrace-gpu and hisi_acc_vfio_pci and vmwgfx
# (their directories only). Build only: nothing is booted. Each entry
# builds in its own directory in the cache; the log of entry NAME is
# out/logs/matrix-NAME.log.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

C=$PROJ/configs
# name arch "fragments" "targets"
entries=(
	"nop2p x86_64 $C/base.config,$C/debug.config,$C/nop2p.config vmlinux"
	"i386 i386 $C/i386.config vmlinux,modules"
	"arm64 arm64 $C/arm64.config vmlinux"
	"variants arm64 $C/arm64.config,$C/variants.config drivers/vfio/,drivers/dma-buf/,drivers/gpu/drm/vmwgfx/"
)
# Cross compilers for the entries that need one (Debian packages)
declare -A cross=([arm64]=aarch64-linux-gnu-)
"$PROJ/scripts/deps.sh" gcc-aarch64-linux-gnu >&2 || exit 1
[ -d "$TREE/.git" ] || "$PROJ/scripts/tree.sh" >&2 || exit 1

mkdir -p "$LOGDIR"
echo "TAP version 13"
echo "1..${#entries[@]}"
n=0
for e in "${entries[@]}"; do
	read -r name arch frags targets <<< "$e"
	n=$((n + 1))
	log=$LOGDIR/matrix-$name.log
	start=$SECONDS
	if (export ARCH=$arch CROSS_COMPILE=${cross[$arch]:-}
	    IFS=, read -ra f <<< "$frags"
	    IFS=, read -ra t <<< "$targets"
	    "$PROJ/scripts/config.sh" "$name" "${f[@]}" &&
	    "$PROJ/scripts/build-kernel.sh" "$name" "${t[@]}") > "$log" 2>&1; then
		echo "# $name: built in $((SECONDS - start))s"
		echo "ok $n build $name ($arch)"
	else
		echo "not ok $n build $name ($arch) # log: $log; repro: ARCH=$arch CROSS_COMPILE=${cross[$arch]:-} scripts/config.sh $name ${frags//,/ } && ARCH=$arch scripts/build-kernel.sh $name ${targets//,/ }"
	fi
done
