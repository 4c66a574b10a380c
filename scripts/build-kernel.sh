#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# build-kernel.sh NAME [TARGET...]: build the configured kernel NAME with
# ccache (default target: bzImage). The tree's uapi headers are installed
# into the build directory's usr/ for the test programs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=$1
shift
out=$(build_dir "$name")
[ -f "$out/.config" ] || die "no $out/.config: run scripts/config.sh $name first"
command -v ccache >/dev/null || die "ccache missing: run 'make deps'"

kmake "$TREE" "$out" -j"$JOBS" ${MAKE_EXTRA:-} "${@:-bzImage}"
kmake "$TREE" "$out" -s headers_install \
	INSTALL_HDR_PATH="$out/usr-headers" >/dev/null
