#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# warnings.sh: TAP, one test per kernel C file the series touches: building
# it with sparse (C=2) and W=1, and running scripts/kernel-doc -none -Wall on
# it and the headers the series touches, gives no warning that the base does
# not already give. Messages are compared without line numbers, as a multiset.
# The base's results are cached per base version and config.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

name=${1:-test}
arch=${ARCH:-x86_64}
after_out=$(build_dir "$name")
[ -f "$after_out/.config" ] || die "no $after_out/.config: build the $name kernel first"
sparse=$("$PROJ/scripts/sparse-tool.sh") || die "no usable sparse"

# Files the series touches, outside tools/ and Documentation/.
mapfile -t files < <(cat $(series_patches) /dev/null | sed -n 's|^+++ b/||p' |
	grep -E '^(drivers|include|mm|lib|kernel|arch)/.*\.[ch]$' | sort -u)
echo "TAP version 13"
if [ ${#files[@]} -eq 0 ]; then
	echo "1..0 # SKIP the series touches no kernel C file yet"
	exit 0
fi
echo "1..${#files[@]}"

# A checkout of the base, and its build dir, for the "before" numbers.
repo=$("$PROJ/scripts/base.sh") || exit 1
base_src=$CACHE/base-src/$(basename "$repo" .git)
if [ ! -f "$base_src/Makefile" ]; then
	mkdir -p "$base_src"
	git --git-dir="$repo" --work-tree="$base_src" checkout -q -f base -- . || exit 1
fi
key=$(cat "$after_out/.config" | md5sum | cut -c1-8)
base_out=$CACHE/build/base-warn-$key
mkdir -p "$base_out"
cp -n "$after_out/.config" "$base_out/.config"

# check SRC OUT FILE: the file's normalised warnings, one per line.
check() {
	local src=$1 out=$2 f=$3
	{
		case $f in
		*.c)
			[ -f "$src/$f" ] || return 0
			make -s -C "$src" O="$out" ARCH="$arch" -j1 C=2 W=1 \
				CHECK="$sparse" CC="ccache gcc" "${f%.c}.o" 2>&1 >/dev/null ;;
		esac
		[ -f "$src/$f" ] && (cd "$src" && scripts/kernel-doc -none -Wall "$f" 2>&1)
	} | grep -E '(warning|error|Warning|WARNING)' |
		sed -E "s|^($src/)?||; s|^([^:]+):[0-9]+(:[0-9]+)?:|\1:|" | sort
}

if [ ! -f "$base_out/.prepared" ]; then
	make -s -C "$base_src" O="$base_out" ARCH="$arch" olddefconfig prepare \
		CC="ccache gcc" -j"$JOBS" >/dev/null 2>&1 && touch "$base_out/.prepared"
fi
n=0 fail=0
for f in "${files[@]}"; do
	n=$((n + 1))
	bcache=$base_out/warn-$(echo "$f" | tr / _).txt
	[ -f "$bcache" ] || check "$base_src" "$base_out" "$f" > "$bcache"
	after=$(check "$TREE" "$after_out" "$f")
	new=$(comm -13 "$bcache" <(printf '%s\n' "$after" | sed '/^$/d'))
	if [ -z "$new" ]; then
		echo "ok $n no new warnings: $f ($(grep -c . "$bcache") in base)"
	else
		echo "$new" | sed 's/^/# new: /'
		echo "not ok $n new warnings: $f"
		fail=1
	fi
done
exit $fail
