# SPDX-License-Identifier: GPL-2.0
# Sourced by scripts/initramfs.sh (bash): gen_init_cpio lines for Debian's
# unmodified VFIO clients, DPDK's testpmd and QEMU, installed by make deps:
# each binary with its shared-library closure (ldd), DPDK's PMD plugins
# (dlopen()ed from the compiled-in plugin directory) and QEMU's module and
# firmware files. CLIENT_ROOT (for trying this without installing: a
# dpkg -x tree) is a prefix stripped from the paths in the initramfs.
ROOT=${CLIENT_ROOT:-}
DPDK_PMDS=/usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0
declare -A cpio_have=([/dev]=1 [/bin]=1 [/etc]=1 [/proc]=1 [/sys]=1 [/tmp]=1 [/tests]=1)

cpio_dir() {
	local d=$1
	[ "$d" = / ] || [ -n "${cpio_have[$d]:-}" ] && return
	cpio_dir "$(dirname "$d")"
	cpio_have[$d]=1
	echo "dir $d 0755 0 0"
}

# cpio_file DEST SRC MODE: SRC's content (symlinks followed) at DEST, once
cpio_file() {
	[ -n "${cpio_have[$1]:-}" ] && return
	[ -e "$2" ] || die "initramfs: $2 missing: run 'make deps'"
	cpio_dir "$(dirname "$1")"
	cpio_have[$1]=1
	echo "file $1 $(readlink -f "$2") $3 0 0"
}

# cpio_elf SRC: SRC and every shared library it needs, at their paths
cpio_elf() {
	local lib
	cpio_file "${1#$ROOT}" "$1" 0755
	while read -r lib; do
		case $lib in
		*"not found"*) die "initramfs: $1: $lib" ;;
		/*) cpio_file "${lib#$ROOT}" "$lib" 0755 ;;
		esac
	done < <(ldd "$1" | awk '$2 == "=>" { print ($3 == "not" ? $0 : $3) }
		$1 ~ /^\// { print $1 }')
}

# DPDK: testpmd (Debian's dpdk-dev), the e1000 PMD (net_e1000_em) and the
# ring mempool (the default mbuf pool ops) from the plugin directory EAL
# loads by itself; the PCI bus, ethdev, mbuf and mempool libraries are in
# testpmd's own closure. EAL loads the files of that directory whose names
# end in .so or .so.23.0 (ABI_VERSION), not the .so.23 links: one name each.
cpio_elf "$ROOT/usr/bin/dpdk-testpmd"
for pmd in librte_net_e1000 librte_mempool_ring; do
	cpio_elf "$ROOT$DPDK_PMDS/$pmd.so.23.0"
done

# QEMU (qemu-system-x86, already a dependency): the binary, the TCG
# accelerator module (Debian's QEMU has no qtest accelerator; -S keeps the
# vCPU stopped), and what q35 loads at startup even with -nodefaults:
# SeaBIOS (never run) and the kvmvapic option ROM. QEMU finds them
# relative to its binary (/usr/bin/../share, /usr/bin/../lib/...).
cpio_elf "$ROOT/usr/bin/qemu-system-x86_64"
cpio_elf "$ROOT/usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so"
cpio_file /usr/share/seabios/bios-256k.bin "$ROOT/usr/share/seabios/bios-256k.bin" 0644
cpio_file /usr/share/qemu/kvmvapic.bin "$ROOT/usr/share/qemu/kvmvapic.bin" 0644
