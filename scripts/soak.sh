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
# Each run of the fuzzer: 300 s and 25 ms a step (about 3x a TCG step)
budget=$((300 + ops / 40))s
cat > "$OUT/lists/soak.list" <<LIST
fuzz@edu-rp $budget vfio_dmabuf_fuzz 0000:01:00.0 $seed $ops
fuzz@ivshmem64M $budget vfio_dmabuf_fuzz 0000:00:04.0 $seed $ops
LIST

echo "make soak: seed $seed, $ops steps per device; replay: $replay" >&2
test_guest_stages &&
stage guest "$LOGDIR/guest-soak.log" "$replay" "$PROJ/scripts/run-guest.sh" test soak ||
	{ echo "make soak: failed; replay: $replay" >&2; exit 1; }

g=$OUT/guest-soak
grep -E '^# # (FAIL|replay|[a-z-]+ [0-9]+ |accesses)' "$g/tap.log" | sed 's/^# # /  /'
"$PROJ/scripts/tap-summary.py" --guest "$g" | tee "$g/summary.txt"
rc=${PIPESTATUS[0]}
echo "make soak: $( [ $rc -eq 0 ] && echo PASSED || echo FAILED ): seed $seed, $ops steps per device; replay: $replay" >&2
exit $rc
