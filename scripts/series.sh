#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# series.sh: `make series`. Writes the series as it goes to the lists to
# $OUT/series/v$VERSION (VERSION defaults to 3: the seed was v2): the work
# tree's commits (which must be patches/) as git format-patch files with
# "[PATCH vN n/M]" subjects, the cover letter text of
# patches/0000-cover-letter.patch, base-commit information, and To/Cc
# headers from the kernel's scripts/get_maintainer.pl: maintainers in To,
# reviewers and lists in Cc, for the files each patch touches; the cover
# letter goes to all of them. Then checks the result with
# git send-email --dry-run, which needs no network.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

version=${VERSION:-3}
dir=$OUT/series/v$version

"$PROJ/scripts/deps.sh" git-email
[ -d "$TREE/.git" ] || "$PROJ/scripts/tree.sh"
"$PROJ/scripts/export-check.sh" >/dev/null ||
	die "the work tree is not patches/: 'make export' or 'make tree' first"
base=$(tree_base)
rm -rf "$dir"
mkdir -p "$dir"
SUBJECT_PREFIX="PATCH v$version" FORMAT_PATCH_ARGS="--base=$base" \
	"$PROJ/scripts/export.sh" "$dir" >/dev/null

# get_maintainer ROLE-OPTIONS PATCH...: one address per line.
get_maintainer() {
	(cd "$TREE" && scripts/get_maintainer.pl --no-rolestats --no-git \
		--no-git-fallback --no-multiline "$@") | tr ',' '\n' |
		sed 's/^ *//; /^$/d' | sort -u
}
# add_headers FILE TO-FILE CC-FILE: To:/Cc: lines after the Subject.
add_headers() {
	python3 - "$@" <<'PY'
import sys
path, to, cc = sys.argv[1:]
text = open(path).read()
head, body = text.split('\n\n', 1)
lines = [f'To: {a}' for a in open(to).read().split('\n') if a]
lines += [f'Cc: {a}' for a in open(cc).read().split('\n') if a]
open(path, 'w').write(head + '\n' + '\n'.join(lines) + '\n\n' + body)
PY
}

cover=$dir/0000-cover-letter.patch
mapfile -t patches < <(find "$dir" -name '[0-9][0-9][0-9][0-9]-*.patch' \
	! -name 0000-cover-letter.patch | sort)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for p in "${patches[@]}"; do
	get_maintainer --m --no-r --no-l "$p" > "$tmp/to"
	get_maintainer --no-m --r --l "$p" > "$tmp/cc"
	add_headers "$p" "$tmp/to" "$tmp/cc"
done
get_maintainer --m --no-r --no-l "${patches[@]}" > "$tmp/to"
get_maintainer --no-m --r --l "${patches[@]}" > "$tmp/cc"
add_headers "$cover" "$tmp/to" "$tmp/cc"

echo "series: $dir: ${#patches[@]} patches and a cover letter, base-commit $(git -C "$TREE" rev-parse --short=12 "$base")"
echo "series: To: $(paste -sd, "$tmp/to" | sed 's/,/, /g')"
echo "series: Cc: $(paste -sd, "$tmp/cc" | sed 's/,/, /g')"

# The dry run sends nothing: it only shows what would be sent.
# The sender: the series' author, not this machine's git identity.
from=$(git -C "$TREE" log -1 --format='%an <%ae>' "$base..HEAD")
log=$LOGDIR/series-send-email.log
if ! git -C "$TREE" send-email --dry-run --confirm=never --quiet \
		--no-chain-reply-to --from="$from" \
		"$cover" "${patches[@]}" > "$log" 2>&1 < /dev/null; then
	cat "$log" >&2
	die "git send-email --dry-run failed: log $log"
fi
echo "series: git send-email --dry-run: $(grep -c '^Dry-Sent' "$log") messages would be sent (log: $log)"
echo "series: recipients are in each file's To:/Cc: headers; to send: git send-email $dir/*.patch"
