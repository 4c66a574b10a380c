#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# soak.sh: `make soak SEED=n OPS=n`. The fuzzer (guest/vfio_dmabuf_fuzz.c)
# for OPS steps from SEED on the resettable edu and on ivshmem 64 MiB, in
# the test kernel (KASAN, lockdep, kmemleak), with make check's accounting.
# SEED defaults to the time; the seed and the command that replays the run
# are printed first and last.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

seed=${SEED:-$(date +%s)}
ops=${OPS:-200000}
case "$seed$ops" in *[!0-9]*) die "SEED and OPS are numbers: SEED=$seed OPS=$ops" ;; esac
replay="make soak SEED=$seed OPS=$ops"

# The guest list, generated: initramfs.sh packs $OUT/lists/*.list too
mkdir -p "$OUT/lists"
cat > "$OUT/lists/soak.list" <<LIST
fuzz@edu-rp vfio_dmabuf_fuzz 0000:01:00.0 $seed $ops
fuzz@ivshmem64M vfio_dmabuf_fuzz 0000:00:04.0 $seed $ops
LIST

echo "make soak: seed $seed, $ops steps per device; replay: $replay" >&2
stage deps "$LOGDIR/deps.log" "make deps" "$PROJ/scripts/deps.sh" &&
stage tree "$LOGDIR/tree.log" "make tree" tree_or_create &&
stage config "$LOGDIR/config.log" "scripts/config.sh test configs/base.config configs/debug.config" \
	"$PROJ/scripts/config.sh" test "$PROJ/configs/base.config" "$PROJ/configs/debug.config" &&
stage kernel "$LOGDIR/kernel.log" "scripts/build-kernel.sh test" "$PROJ/scripts/build-kernel.sh" test &&
stage tests-build "$LOGDIR/tests-build.log" "scripts/build-tests.sh test" "$PROJ/scripts/build-tests.sh" test &&
stage initramfs "$LOGDIR/initramfs.log" "scripts/initramfs.sh test" "$PROJ/scripts/initramfs.sh" test &&
GUEST_TIMEOUT=${GUEST_TIMEOUT:-$((600 + ops / 40))} \
stage guest "$LOGDIR/guest-soak.log" "$replay" "$PROJ/scripts/run-guest.sh" test soak ||
	{ echo "make soak: failed; replay: $replay" >&2; exit 1; }

g=$OUT/guest-soak
grep -E '^# # (FAIL|replay|[a-z-]+ [0-9]+ |accesses)' "$g/tap.log" | sed 's/^# # /  /'
"$PROJ/scripts/tap-summary.py" --guest "$g" | tee "$g/summary.txt"
rc=${PIPESTATUS[0]}
echo "make soak: $( [ $rc -eq 0 ] && echo PASSED || echo FAILED ): seed $seed, $ops steps per device; replay: $replay" >&2
exit $rc
