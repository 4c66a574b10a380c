#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# build-tests.sh NAME: build the guest's programs, statically linked against
# the uapi headers of kernel build NAME: the tree's VFIO selftests and the
# harness's own guest programs (guest/*.c). Output: $OUT/guest-bin/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=$1
hdr=$(build_dir "$name")/usr-headers/include
[ -d "$hdr/linux" ] || die "no uapi headers in $hdr: run scripts/build-kernel.sh $name"
bin=$OUT/guest-bin
mkdir -p "$bin" "$OUT/selftests-vfio"

make -C "$TREE/tools/testing/selftests/vfio" OUTPUT="$OUT/selftests-vfio" \
	KHDR_INCLUDES="-isystem $hdr" EXTRA_CFLAGS=-static \
	LDFLAGS="-static -pthread" CC="ccache gcc" -j"$JOBS"
for t in $(make -s -C "$TREE/tools/testing/selftests/vfio" OUTPUT="$OUT/selftests-vfio" \
		KHDR_INCLUDES="-isystem $hdr" --eval='print-progs: ; @echo $(TEST_GEN_PROGS)' print-progs); do
	cp "$t" "$bin/"
done
for src in "$PROJ"/guest/*.c; do
	ccache gcc -static -O2 -Wall -Werror -isystem "$hdr" -o "$bin/$(basename "$src" .c)" "$src"
done
ls "$bin"
