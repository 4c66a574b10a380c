#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# export.sh [DIR]: write the work tree's commits (base..HEAD) as patch files
# to DIR (default patches/), replacing the numbered patches there but keeping
# the hand-written cover letter (0000-cover-letter.patch). The output is
# stable (zero commit ids, no version signature), so unchanged commits give
# byte-identical files.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dir=${1:-$PROJ/patches}
[ -d "$TREE/.git" ] || die "no work tree at $TREE: run 'make tree'"
base=$(tree_base)
mkdir -p "$dir"
find "$dir" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' \
	! -name '0000-cover-letter.patch' -delete
git -C "$TREE" -c core.abbrev=12 format-patch -q --zero-commit --no-signature \
	-N --start-number 1 -o "$dir" "$base..HEAD"
find "$dir" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' | sort
