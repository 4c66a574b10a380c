#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tree.sh: make the kernel work tree the base plus patches/ (git am).
#
# Default: $PROJ/work/linux, a clone of the cached base (see base.sh) on
# branch $SERIES_BRANCH. With KERNEL_SRC=/path/to/linux, a new branch
# $SERIES_BRANCH at $BASE_REF in that tree; no other branch is touched.
# An existing branch is reset only when it holds nothing that patches/
# does not (see export-check.sh), or with FORCE=1.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

fresh=0
if [ -z "${KERNEL_SRC:-}" ] && [ ! -d "$TREE/.git" ]; then
	base_repo=$("$PROJ/scripts/base.sh")
	note "tree: cloning the base into $TREE"
	mkdir -p "$(dirname "$TREE")"
	git clone -q --shared --no-checkout "$base_repo" "$TREE"
	git -C "$TREE" checkout -q -b "$SERIES_BRANCH" base
	fresh=1
fi
[ -d "$TREE/.git" ] || die "$TREE is not a git tree"

base=$(tree_base)
if [ $fresh -eq 1 ]; then
	:
elif git -C "$TREE" rev-parse -q --verify "refs/heads/$SERIES_BRANCH" >/dev/null; then
	cur=$(git -C "$TREE" symbolic-ref -q --short HEAD || echo '')
	[ "$cur" = "$SERIES_BRANCH" ] ||
		die "$TREE is on '$cur', not '$SERIES_BRANCH': check out '$SERIES_BRANCH' first"
	if [ "${FORCE:-0}" != 1 ] && ! "$PROJ/scripts/export-check.sh" >&2; then
		die "$TREE holds work that patches/ does not: 'make export' keeps it, FORCE=1 drops it"
	fi
	git -C "$TREE" reset -q --hard "$base"
else
	[ -z "$(git -C "$TREE" status --porcelain --untracked-files=no)" ] ||
		die "$TREE has uncommitted changes: commit or stash them first"
	git -C "$TREE" checkout -q -b "$SERIES_BRANCH" "$base"
fi

# git am needs an identity; keep the user's if they have one.
git -C "$TREE" config user.email >/dev/null ||
	git -C "$TREE" config user.email "harness@localhost"
git -C "$TREE" config user.name >/dev/null ||
	git -C "$TREE" config user.name "vfio-dmabuf-mmap harness"

n=0
while IFS= read -r p; do
	if ! git -C "$TREE" am -q --keep-cr "$p" >&2; then
		git -C "$TREE" am --abort || true
		die "$(basename "$p") does not apply to $(git -C "$TREE" describe --always "$base")"
	fi
	n=$((n + 1))
done < <(series_patches)
note "tree: $TREE at $SERIES_BRANCH, base + $n patches"
