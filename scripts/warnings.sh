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
after_out=$(build_dir "$name")
[ -f "$after_out/.config" ] || die "no $after_out/.config: build the $name kernel first"
sparse=$("$PROJ/scripts/sparse-tool.sh") || die "no usable sparse"

# Files the series touches, outside tools/ and Documentation/.
mapfile -t files < <(series_files '^(drivers|include|mm|lib|kernel|arch)/.*\.[ch]$')
echo "TAP version 13"
if [ ${#files[@]} -eq 0 ]; then
	echo "1..0 # SKIP the series touches no kernel C file yet"
	exit 0
fi
echo "1..$(( ${#files[@]} + 1 ))"

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

# collect SRC OUT: the warnings of building every touched C file (one make,
# in parallel) and of kernel-doc on every touched file, paths relative to SRC.
collect() {
	local src=$1 out=$2 f objs=()
	for f in "${files[@]}"; do
		case $f in *.c) [ -f "$src/$f" ] && objs+=("${f%.c}.o") ;; esac
	done
	{
		[ ${#objs[@]} -eq 0 ] ||
			kmake "$src" "$out" -s -j"$JOBS" C=2 W=1 CHECK="$sparse" \
				"${objs[@]}" 2>&1 >/dev/null
		for f in "${files[@]}"; do
			[ -f "$src/$f" ] && (cd "$src" && scripts/kernel-doc -none -Wall "$f" 2>&1)
		done
	} | grep -E '(warning|error|Warning|WARNING)' | sed -E "s@(\.\./)*(\.\.)?$src/@@g" | sort
}

if [ ! -f "$base_out/.prepared" ]; then
	kmake "$base_src" "$base_out" -s -j"$JOBS" olddefconfig prepare \
		>/dev/null 2>&1 && touch "$base_out/.prepared"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bcache=$base_out/warn-$(printf '%s\n' "${files[@]}" | md5sum | cut -c1-8).txt
[ -f "$bcache" ] || collect "$base_src" "$base_out" > "$bcache"
collect "$TREE" "$after_out" > "$tmp/after"
# Compare as one multiset, without file names and line numbers: code that
# moves between files (or within one) keeps the warnings it had; anything
# beyond what the base had is new. New ones are reported under the touched
# file they name (or "other files", e.g. a header warning our code caused).
python3 - "$bcache" "$tmp/after" "${files[@]}" <<'PY'
import collections, re, sys
base, after, files = sys.argv[1], sys.argv[2], sys.argv[3:]
def norm(line):
    return re.sub(r'[\w./-]+\.[ch]:\d+(:\d+)?:?\s*', '', line).strip()
def load(path):
    with open(path) as fh:
        return [l.rstrip('\n') for l in fh if l.strip()]
budget = collections.Counter(norm(l) for l in load(base))
new = collections.defaultdict(list)
for l in load(after):
    if budget[norm(l)] > 0:
        budget[norm(l)] -= 1
        continue
    owner = next((f for f in files if f in l), 'other files')
    new[owner].append(l)
fail = 0
for n, f in enumerate(files + ['other files'], 1):
    if new[f]:
        fail = 1
        for l in new[f]:
            print(f'# new: {l}')
        print(f'not ok {n} new warnings: {f}')
    else:
        print(f'ok {n} no new warnings (sparse, W=1, kernel-doc): {f}')
sys.exit(fail)
PY
