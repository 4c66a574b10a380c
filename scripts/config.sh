#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# config.sh NAME FRAGMENT...: write the kernel .config for build NAME by
# merging the fragments onto tinyconfig with the kernel's merge_config.sh,
# then fail if any requested option did not stick (Kconfig drops options
# whose dependencies are missing without a word).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "usage: scripts/config.sh NAME FRAGMENT..., e.g. test configs/base.config configs/debug.config"
name=$1
shift
frags=()
for f in "$@"; do frags+=("$(realpath "$f")"); done
set -- "${frags[@]}"
arch=${ARCH:-x86_64}
out=$(build_dir "$name")
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

make -s -C "$TREE" O="$tmp" ARCH="$arch" tinyconfig
(cd "$TREE" && scripts/kconfig/merge_config.sh -m -O "$tmp" "$tmp/.config" "$@")
make -s -C "$TREE" O="$tmp" ARCH="$arch" olddefconfig

# The options the fragments ask for, "# CONFIG_X is not set" read as
# CONFIG_X=n; a later fragment overrides an earlier one, as in
# merge_config.sh, so only the last value of each option counts.
requested() {
	sed -E 's/^# (CONFIG_[A-Za-z0-9_]+) is not set.*/\1=n/; s/[[:space:]]*#.*//' "$@" |
		grep -v '^$' |
		awk -F= '!($1 in v) { k[n++] = $1 } { v[$1] = $0 }
			 END { for (i = 0; i < n; i++) print v[k[i]] }'
}

bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=n)
		opt=${line%%=*}
		if grep -q "^$opt=" "$tmp/.config"; then
			echo "config: $opt requested n, got $(grep "^$opt=" "$tmp/.config")"
			bad=1
		fi ;;
	CONFIG_*=*)
		if ! grep -qxF "$line" "$tmp/.config"; then
			opt=${line%%=*}
			got=$(grep -E "^$opt=|^# $opt is not set" "$tmp/.config" || echo 'absent')
			echo "config: requested $line, got: $got"
			bad=1
		fi ;;
	esac
done < <(requested "$@")
[ $bad -eq 0 ] || die "options above did not stick: a dependency is missing (fragments: $*)"

# Keep the old .config (and its mtime) when nothing changed, so that the
# next build stays incremental.
if ! cmp -s "$tmp/.config" "$out/.config"; then
	cp "$tmp/.config" "$out/.config"
	echo "config: $out/.config updated"
else
	echo "config: $out/.config unchanged"
fi
