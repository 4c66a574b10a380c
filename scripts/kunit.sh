#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kunit.sh: `make kunit`. The series' KUnit suite with the kernel's own
# runner, as a kernel developer runs it from the top of the tree:
#   ./tools/testing/kunit/kunit.py run --kunitconfig=drivers/vfio/pci \
#           --arch=x86_64
# (a small x86_64 kernel from drivers/vfio/pci/.kunitconfig, booted in
# QEMU), with the build directory in the cache and ccache. make check runs
# the same suite inside its test kernel instead (KTAP on the console).
#
# kunit.py asks QEMU for KVM first. On machines of this kind /dev/kvm exists
# but a KVM guest never gets going, and kunit.py times out after 300 s; so,
# as root and unless KUNIT_KVM=1, the run gets a mount namespace where
# /dev/kvm is /dev/null, KVM fails to initialise and QEMU falls back to TCG
# (the suite then takes seconds).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -d "$TREE/.git" ] || "$PROJ/scripts/tree.sh"
command -v qemu-system-x86_64 >/dev/null || die "qemu missing: run 'make deps'"
cd "$TREE"
run=(python3 tools/testing/kunit/kunit.py run --kunitconfig=drivers/vfio/pci
     --arch=x86_64 --build_dir="$CACHE/kunit" --jobs="$JOBS"
     --make_options "CC=ccache gcc")
if [ -e /dev/kvm ] && [ "${KUNIT_KVM:-}" != 1 ] && [ "$(id -u)" -eq 0 ]; then
	exec unshare -m sh -c 'mount --bind /dev/null /dev/kvm && exec "$@"' \
		kunit "${run[@]}"
fi
exec "${run[@]}"
