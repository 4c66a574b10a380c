#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# initramfs.sh NAME: pack the guest's initramfs with the kernel's own
# usr/gen_init_cpio (from kernel build NAME): static busybox, guest/init,
# guest/tap-one, guest/run-budget, guest/bar-in-ram-section, the test lists
# (guest/*.list, and generated ones in $OUT/lists), the programs in
# $OUT/guest-bin, and Debian's VFIO clients (scripts/initramfs-clients.sh:
# testpmd, QEMU, their libraries). Output:
# $OUT/initramfs.cpio
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=$1
out=$(build_dir "$name")
busybox=$(command -v busybox || echo /bin/busybox)
file "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	[ -x /bin/busybox ] || die "static busybox missing: run 'make deps'"
kmake "$TREE" "$out" -s usr/gen_init_cpio

list=$OUT/initramfs.list
{
	echo "dir /dev 0755 0 0"
	echo "nod /dev/console 0600 0 0 c 5 1"
	for d in bin etc proc sys tmp tests; do echo "dir /$d 0755 0 0"; done
	echo "file /bin/busybox /bin/busybox 0755 0 0"
	echo "slink /bin/sh busybox 0777 0 0"
	echo "file /init $PROJ/guest/init 0755 0 0"
	echo "file /tests/tap-one $PROJ/guest/tap-one 0755 0 0"
	echo "file /tests/run-budget $PROJ/guest/run-budget 0755 0 0"
	echo "file /tests/bar-in-ram-section $PROJ/guest/bar-in-ram-section 0755 0 0"
	for l in "$PROJ"/guest/*.list "$OUT"/lists/*.list; do
		[ -f "$l" ] || continue
		echo "file /etc/$(basename "$l") $l 0644 0 0"
	done
	for b in "$OUT"/guest-bin/*; do
		echo "file /tests/$(basename "$b") $b 0755 0 0"
	done
	for s in dpdk_testpmd qemu_vfio_edu; do
		echo "file /tests/$s $PROJ/guest/$s 0755 0 0"
	done
	# Debian's dpdk-testpmd and qemu-system-x86_64 with their closures
	. "$PROJ/scripts/initramfs-clients.sh"
} > "$list"
"$out/usr/gen_init_cpio" "$list" > "$OUT/initramfs.cpio.tmp"
mv "$OUT/initramfs.cpio.tmp" "$OUT/initramfs.cpio"
echo "initramfs: $OUT/initramfs.cpio ($(du -h "$OUT/initramfs.cpio" | cut -f1))"
