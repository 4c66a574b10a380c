#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# run-guest.sh NAME LIST: boot kernel build NAME in QEMU (q35, TCG, vIOMMU
# with interrupt remapping, edu, two file-backed ivshmem devices, a second
# edu alone behind a PCIe root port, which vfio-pci can reset with a
# secondary bus reset, and a third whose BAR shares a memory section with
# RAM) with the initramfs, run guest/LIST.list and power off. Writes to
# $OUT/guest-LIST/: console.log (kernel console), tap.log (the guest's TAP),
# devices (BDF -> ivshmem backing file).
# The guest has no fixed time limit: each program of the list has a budget
# (the guest kills one that overruns it and goes on), and the guest is
# stopped only when it prints nothing, on its console or its TAP port, for
# longer than the list's largest budget plus SILENCE_MARGIN seconds (120),
# or runs past the sum of the budgets plus BOOT_BUDGET seconds (600).
# GUEST_TIMEOUT=N replaces that sum; GUEST_DIR: where the run is written
# (default $OUT/guest-LIST; two guests at once need two).
# GUEST_SMP: the number of vCPUs (default 2); GUEST_QEMU_ARGS: more QEMU
# options (make bench-profile's -icount).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=$1 list=$2
kernel=$(build_dir "$name")/arch/x86/boot/bzImage
initrd=$OUT/initramfs.cpio
dir=${GUEST_DIR:-$OUT/guest-$list}
[ -f "$kernel" ] || die "no kernel $kernel: run scripts/build-kernel.sh $name"
[ -f "$initrd" ] || die "no $initrd: run scripts/initramfs.sh $name"
command -v qemu-system-x86_64 >/dev/null || die "qemu missing: run 'make deps'"
listfile=$PROJ/guest/$list.list
[ -f "$listfile" ] || listfile=$OUT/lists/$list.list
[ -f "$listfile" ] || die "no list $list: neither guest/$list.list nor $listfile"
# "name SECONDSs command...": the largest budget and their sum
read -r most sum < <(awk '!/^[[:space:]]*(#|$)/ {
		b = $2; if (b !~ /^[0-9]+s$/) { bad = 1; next }
		b += 0; s += b; if (b > m) m = b }
	END { if (bad) print "bad"; else print m + 0, s + 0 }' "$listfile")
[ "$most" != bad ] || die "$listfile: a line is not \"name SECONDSs command...\""
silence=$((most + ${SILENCE_MARGIN:-120}))
total=${GUEST_TIMEOUT:-$((sum + ${BOOT_BUDGET:-600}))}
rm -rf "$dir"
mkdir -p "$dir"

# ivshmem BAR2 is the backing file itself: the host can check what the
# guest wrote. The large one stays sparse.
truncate -s 64M "$dir/ivshmem-64M.img"
truncate -s 1G "$dir/ivshmem-1G.img"
# A signature the guest can look for: data flows host -> guest too.
printf 'VDM-HOST-SEED\0' | dd of="$dir/ivshmem-64M.img" conv=notrunc status=none
cat > "$dir/devices" <<DEV
0000:00:03.0 edu -
0000:00:04.0 ivshmem $dir/ivshmem-64M.img
0000:00:05.0 ivshmem $dir/ivshmem-1G.img
0000:01:00.0 edu -
0000:00:08.0 edu -
0000:00:07.0 e1000 $dir/e1000.pcap
DEV

# The e1000 (00:07.0) is DPDK's: testpmd sends its frames to a hub port
# with nothing else on it (no host network; filter-dump keeps a pcap of
# what the NIC sent). Any -netdev also drops QEMU's default NIC, the
# e1000e on user networking at 00:02.0, which no test uses.
# The edu at 00:08.0 ("edu-ram"): its BAR shares a 128 MiB memory section
# (x86-64's SPARSEMEM section) with RAM, so that pfn_valid() is true for
# its PFNs, as on machines whose RAM below 4 GiB ends unaligned just below a
# BAR. Low RAM ends at 1430 MiB (max-ram-below-4g; the rest of the 4 GiB
# is above 4 GiB), which makes the gap above it the largest below 4 GiB,
# where Linux assigns the BARs it moves; pci=resource_alignment moves this
# edu's BAR there, as its first 2 MiB-aligned (and 2 MiB long) block after
# the RAM buffer: 0x59600000 here. guest/bar-in-ram-section checks it.
# (QEMU warns of "possibly poor performance" of a max-ram-below-4g that is
# not a multiple of 1 GiB: it concerns huge pages of guest RAM, not this.)
# la57=off: with 5-level paging, 7.3's KASAN can report a wild access in
# rcu_is_watching() when an interrupt lands during early CPU setup (seen
# under TCG, timing dependent); 4-level paging is what the tests need.
echo "guest: list $list, budgets ${sum} s in all (largest ${most} s): stopped" \
	"after ${silence} s without output or ${total} s in all"
qemu-system-x86_64 \
	-machine q35,max-ram-below-4g=1430M -accel tcg -cpu max,la57=off -smp "${GUEST_SMP:-2}" -m 4G \
	-display none -monitor none -no-reboot \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 intel_iommu=on hugepagesz=1G hugepages=1 panic=-1 oops=panic pci=resource_alignment=21@0000:00:08.0 vdm.list=$list ${GUEST_APPEND:-}" \
	-device intel-iommu,intremap=on \
	-device edu,addr=03.0 \
	-object memory-backend-file,id=shm64m,mem-path="$dir/ivshmem-64M.img",size=64M,share=on \
	-device ivshmem-plain,memdev=shm64m,addr=04.0 \
	-object memory-backend-file,id=shm1g,mem-path="$dir/ivshmem-1G.img",size=1G,share=on \
	-device ivshmem-plain,memdev=shm1g,addr=05.0 \
	-device pcie-root-port,id=rp1,chassis=1,addr=06.0 \
	-device edu,bus=rp1,addr=00.0 \
	-device edu,addr=08.0 \
	-netdev hubport,id=net0,hubid=0 \
	-device e1000,netdev=net0,addr=07.0,mac=52:54:00:12:34:56 \
	-object filter-dump,id=net0dump,netdev=net0,file="$dir/e1000.pcap" \
	-serial file:"$dir/console.log" -serial file:"$dir/tap.log" \
	${GUEST_QEMU_ARGS:-} &
qemu=$!
trap 'kill -9 $qemu 2>/dev/null' EXIT

# The watchdog: progress is any new byte on either serial port.
t0=$(date +%s)
last=$t0 seen= why=
while kill -0 $qemu 2>/dev/null; do
	sleep 5
	now=$(date +%s)
	size=$(cat "$dir/console.log" "$dir/tap.log" 2>/dev/null | wc -c || true)
	[ "$size" != "$seen" ] && seen=$size last=$now
	if [ $((now - last)) -ge "$silence" ]; then
		why="no output for $((now - last)) s"
	elif [ $((now - t0)) -ge "$total" ]; then
		why="still running after $((now - t0)) s"
	fi
	if [ -n "$why" ]; then
		kill $qemu 2>/dev/null
		sleep 10
		kill -9 $qemu 2>/dev/null
		break
	fi
done
set +e
wait $qemu
rc=$?
set -e
trap - EXIT
tr -d '\r' < "$dir/tap.log" > "$dir/tap.log.tmp" && mv "$dir/tap.log.tmp" "$dir/tap.log"
if [ -n "$why" ]; then
	cur=$(sed -n 's/^# selftest: //p' "$dir/tap.log" | tail -n 1)
	die "guest stopped, $why${cur:+ (last program started: $cur)}: console log $dir/console.log, TAP $dir/tap.log"
fi
grep -q 'VDM-GUEST-DONE' "$dir/tap.log" ||
	die "guest stopped before finishing its list (qemu exit $rc): console log $dir/console.log"
echo "guest: finished $list in $dir"
