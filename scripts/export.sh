#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# export.sh [DIR]: write the work tree's commits (base..HEAD) as patch files
# to DIR (default patches/). The cover letter, 0000-cover-letter.patch, is
# regenerated too (shortlog, diffstat) but keeps its hand-written subject,
# text and date. The output is stable (zero commit ids, no version
# signature): unchanged commits give byte-identical files. SUBJECT_PREFIX and
# FORMAT_PATCH_ARGS change the format-patch call (make series uses them).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dir=${1:-$PROJ/patches}
cover=$PROJ/patches/0000-cover-letter.patch
[ -d "$TREE/.git" ] || die "no work tree at $TREE: run 'make tree'"
for d in rebase-merge rebase-apply; do
	[ ! -d "$(git -C "$TREE" rev-parse --git-path "$d")" ] ||
		die "a rebase is in progress in $TREE: finish it first"
done
base=$(tree_base)
mkdir -p "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[ "$(git -C "$TREE" rev-list --count "$base..HEAD")" -gt 0 ] || {
	find "$dir" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' \
		! -name '0000-cover-letter.patch' -delete
	[ "$dir" = "$PROJ/patches" ] || [ ! -f "$cover" ] || cp "$cover" "$dir/"
	exit 0
}
git -C "$TREE" -c core.abbrev=12 format-patch -q --zero-commit --no-signature \
	--cover-letter --subject-prefix="${SUBJECT_PREFIX:-PATCH}" \
	${FORMAT_PATCH_ARGS:-} -o "$tmp" "$base..HEAD"

# Carry the hand-written parts of the old cover letter into the new one:
# the date, the subject and the text up to the shortlog.
if [ -f "$cover" ]; then
	python3 - "$cover" "$tmp/0000-cover-letter.patch" <<'PY'
import re, sys
old = open(sys.argv[1]).read()
new = open(sys.argv[2]).read()
def parts(text):
    head, body = text.split('\n\n', 1)
    m = re.search(r'^\S.* \(\d+\):$', body, re.M)
    return head, body[:m.start()] if m else body, body[m.start():] if m else ''
ohead, oblurb, _ = parts(old)
nhead, _, nrest = parts(new)
# A header with its continuation lines (format-patch folds long ones).
def header(field):
    return rf'^{field}: .*(?:\n[ \t].*)*'
# From: the cover letter's author is whoever runs format-patch; keep the
# series' own, whatever the git identity of this machine is.
for field in ('From', 'Date', 'Subject'):
    o = re.search(header(field), ohead, re.M)
    if not o:
        continue
    val = o.group(0)
    if field == 'Subject':
        # keep the new [PATCH n/N] prefix, the old title
        title = re.sub(r'^Subject: (\[[^]]*\] )?', '', val)
        prefix = re.match(r'^Subject: (\[[^]]*\] )?', re.search(header('Subject'), nhead, re.M).group(0)).group(0)
        val = prefix + title
    nhead = re.sub(header(field), lambda _: val, nhead, count=1, flags=re.M)
open(sys.argv[2], 'w').write(nhead + '\n\n' + oblurb.rstrip('\n') + '\n\n' + nrest)
PY
fi
find "$dir" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' -delete
cp "$tmp"/*.patch "$dir/"
find "$dir" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' | sort
