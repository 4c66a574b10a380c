#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# deps.sh [PACKAGE...]: install what the harness needs from Debian, plus
# the PACKAGEs a target needs beyond that (make series: git-email; make
# check-matrix: the arm64 cross compiler). The base kernel comes from
# trixie-backports, added at its default (low) priority so that nothing
# else on the machine is upgraded from it. The guest runs Debian's own
# VFIO clients, copied with their libraries: dpdk-testpmd (only in
# dpdk-dev, whose dependencies pull in all of DPDK's libraries, rdma-core
# and udev) with the e1000 and ring mempool plugins, and QEMU itself with
# the SeaBIOS and option ROM files q35 loads at startup.
set -euo pipefail

PKGS="linux-source-7.3 build-essential bc bison flex libelf-dev libssl-dev
cpio xz-utils kmod python3 gawk rsync ccache qemu-system-x86 busybox-static
uuid-dev git python3-ply python3-git curl file
dpdk-dev librte-net-e1000-23 librte-mempool-ring23 seabios qemu-system-data $*"
SRC=/etc/apt/sources.list.d/trixie-backports.sources
. "$(dirname "$0")/lib.sh"

# (dpkg-query fails when it does not know one of them: that is not an error)
missing=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' $PKGS 2>/dev/null |
	awk '$2 != "installed" { print $1 }' || true)
# dpkg-query prints nothing for packages it has never heard of.
for p in $PKGS; do
	dpkg-query -W "$p" >/dev/null 2>&1 || missing="$missing $p"
done
missing=$(echo $missing | tr ' ' '\n' | sort -u | tr '\n' ' ')
[ -z "${missing// }" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
	if ! sudo -n true 2>/dev/null; then
		cat >&2 <<MSG
error: missing packages: $missing
The harness installs them with apt, which needs root. Run once:
    sudo make deps
(or as root: make deps), then run your make command again.
MSG
		exit 1
	fi
else
	SUDO=
fi

echo "deps: installing:$missing" >&2
if [ ! -f "$SRC" ] && ! grep -rqs 'trixie-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	mirror=$(debian_mirror) || exit 1
	key=/usr/share/keyrings/debian-archive-trixie-automatic.gpg
	[ -f "$key" ] || key=/usr/share/keyrings/debian-archive-keyring.gpg
	$SUDO tee "$SRC" >/dev/null <<SRCS
Types: deb
URIs: $mirror
Suites: trixie-backports
Components: main
Signed-By: $key
SRCS
fi
$SUDO apt-get update -q
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	--no-install-recommends $missing
