#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Unpack Debian's linux-source tarball once per version into a bare git repo
# in the cache, as a single commit tagged "base". Prints the repo's path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

git_dir=$(base_git)
if git --git-dir="$git_dir" rev-parse -q --verify base >/dev/null 2>&1; then
	echo "$git_dir"
	exit 0
fi

[ -r "$BASE_TARBALL" ] || die "$BASE_TARBALL missing: run 'make deps'"
ver=$(base_version)
tmp=$(mktemp -d "$CACHE/unpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
note "unpacking $BASE_TARBALL ($ver)"
tar -C "$tmp" -xJf "$BASE_TARBALL"
src=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n 1)

# Debian's top-level .gitignore ends with a block that ignores everything at
# the top level ("/*"); drop it so the tree can be tracked like upstream's.
sed -i '/^# Debian packaging: ignore everything/,$d' "$src/.gitignore"
sed -i -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$src/.gitignore"
sed -i '${/^#$/d}' "$src/.gitignore"

rm -rf "$git_dir.tmp"
git init -q --bare "$git_dir.tmp"
export GIT_DIR=$git_dir.tmp GIT_WORK_TREE=$src
# No automatic gc: repacking the whole tree would keep this (and whoever
# waits on its output) busy for minutes; loose objects serve clones fine.
git config gc.auto 0
# The tarball holds only source files: track every one of them.
git add -A -f
GIT_AUTHOR_NAME=base GIT_AUTHOR_EMAIL=base@localhost \
GIT_COMMITTER_NAME=base GIT_COMMITTER_EMAIL=base@localhost \
GIT_AUTHOR_DATE='2000-01-01T00:00:00Z' GIT_COMMITTER_DATE='2000-01-01T00:00:00Z' \
	git commit -q -m "Linux $(make -s -C "$src" kernelversion) from Debian $BASE_PKG $ver" \
		-m "Debian's top-level .gitignore block that ignores everything is removed."
git tag base
unset GIT_DIR GIT_WORK_TREE
mv "$git_dir.tmp" "$git_dir"
echo "$git_dir"
