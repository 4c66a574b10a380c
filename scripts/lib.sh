# SPDX-License-Identifier: GPL-2.0
# Common settings and helpers for the harness scripts; sourced, not run.

PROJ=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${VDM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vfio-dmabuf-mmap}
OUT=${VDM_OUT:-$PROJ/out}
LOGDIR=$OUT/logs
BASE_PKG=${BASE_PKG:-linux-source-7.3}
BASE_TARBALL=${BASE_TARBALL:-/usr/src/$BASE_PKG.tar.xz}
# Branch the series lives on in the work tree (or in KERNEL_SRC).
SERIES_BRANCH=${SERIES_BRANCH:-vfio-dmabuf-mmap}
# With KERNEL_SRC, the upstream ref the series applies to.
BASE_REF=${BASE_REF:-v7.3}
TREE=${KERNEL_SRC:-$PROJ/work/linux}
JOBS=${JOBS:-$(nproc)}

export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-/}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-10G}

mkdir -p "$LOGDIR" "$CACHE"

die() { printf 'error: %s\n' "$*" >&2; exit 1; }
note() { printf '%s\n' "$*" >&2; }

# The Debian archive this machine's apt already uses (DEBIAN_MIRROR, if
# set, instead): the harness names no mirror of its own.
debian_mirror() {
	if [ -n "${DEBIAN_MIRROR:-}" ]; then
		echo "$DEBIAN_MIRROR"
		return
	fi
	apt-get indextargets --format '$(SITE) $(ORIGIN) $(LABEL)' \
		'Created-By: Packages' 2>/dev/null |
		awk '$2 == "Debian" && $3 == "Debian" { print $1; exit }' | grep . ||
		die "apt has no Debian archive in its sources: set DEBIAN_MIRROR"
}

# Version of the installed base package, e.g. 7.3.4-1~bpo13+1.
base_version() {
	dpkg-query -W -f='${Version}' "$BASE_PKG" 2>/dev/null ||
		die "$BASE_PKG is not installed: run 'make deps'"
}

# Bare git repo holding the pristine base as one commit, one per version.
base_git() { echo "$CACHE/base/$(base_version | tr '~+:' '___').git"; }

# The base commit the series applies to, in $TREE.
tree_base() {
	if [ -n "${KERNEL_SRC:-}" ]; then
		git -C "$TREE" rev-parse --verify -q "$BASE_REF^{commit}" ||
			die "KERNEL_SRC=$KERNEL_SRC has no $BASE_REF"
	else
		git -C "$TREE" rev-parse --verify -q base^{commit} ||
			die "$TREE has no base: run 'make tree'"
	fi
}

# Patch files of the series, in order, without the cover letter.
series_patches() {
	find "$PROJ/patches" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' \
		! -name '0000-cover-letter.patch' 2>/dev/null | sort
}

# series_files ERE: the files the series' patches touch that match ERE.
series_files() {
	cat $(series_patches) /dev/null | sed -n 's|^+++ b/||p' | grep -E "$1" | sort -u
}

# Build directory for a config, outside the repo, one per source tree.
build_dir() {
	local key
	key=$(printf '%s' "$TREE" | md5sum | cut -c1-8)
	echo "$CACHE/build/$key-$1"
}

# kmake SRC OUT ARGS...: make in kernel tree SRC, output in OUT. Every
# caller must use the same ARCH, CC and HOSTCC: kbuild rebuilds host tools
# whose command line changed, and every object when objtool changed.
kmake() {
	local src=$1 out=$2
	shift 2
	make -C "$src" O="$out" ARCH="${ARCH:-x86_64}" \
		CC="ccache ${CROSS_COMPILE:-}gcc" HOSTCC="ccache gcc" "$@"
}

# Seconds since the harness started (VDM_T0 is inherited by sub-scripts).
: "${VDM_T0:=$(date +%s)}"
export VDM_T0
elapsed() {
	local s=$(( $(date +%s) - VDM_T0 ))
	printf '%02d:%02d' $((s / 60)) $((s % 60))
}

# stage NAME LOG REPRO CMD...: run CMD with output in LOG, print one line.
stage() {
	local name=$1 log=$2 repro=$3 t0 rc
	shift 3
	t0=$(date +%s)
	printf '[%s] %-28s ' "$(elapsed)" "$name" >&2
	"$@" >"$log" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		printf 'ok (%ss)\n' $(( $(date +%s) - t0 )) >&2
	else
		printf 'FAILED (%ss, exit %d)\n' $(( $(date +%s) - t0 )) $rc >&2
		printf '    log:       %s\n' "$log" >&2
		tail -n 15 "$log" | sed 's/^/    | /' >&2
		printf '    reproduce: %s\n' "$repro" >&2
	fi
	return $rc
}

# The work tree as it is (made from patches/ if there is none): what `make`
# and `make soak` run, edits not yet exported included.
tree_or_create() {
	if [ -d "$TREE/.git" ]; then
		"$PROJ/scripts/export-check.sh" >/dev/null ||
			echo "note: $TREE differs from patches/; using the tree as it is"
		echo "tree: $TREE"
	else
		"$PROJ/scripts/tree.sh"
	fi
}

# worktree_at DIR COMMIT: DIR is a detached worktree of $TREE's repository,
# checked out at COMMIT. A DIR left by a tree re-made at the same path (a
# fresh clone of this repo, 'make tree FORCE=1') points at a repository that
# no longer knows it: it is made anew.
worktree_at() {
	local wt=$1 commit=$2 common wt_common
	common=$(cd "$TREE" && cd "$(git rev-parse --git-common-dir)" && pwd -P)
	wt_common=$(cd "$wt" 2>/dev/null &&
		cd "$(git rev-parse --git-common-dir 2>/dev/null)" 2>/dev/null && pwd -P)
	if [ "$wt_common" != "$common" ]; then
		[ -e "$wt" ] && note "$wt is not a worktree of $TREE: re-made"
		rm -rf "$wt"
		git -C "$TREE" worktree prune
		git -C "$TREE" worktree add -q --detach "$wt" "$commit" >&2 || return 1
	fi
	git -C "$wt" checkout -q --detach "$commit"
}

# The stages that make the test kernel (the work tree as it is) and the
# guest's initramfs: what `make` and `make soak` run before their guest.
test_guest_stages() {
	stage deps "$LOGDIR/deps.log" "make deps" "$PROJ/scripts/deps.sh" &&
	stage tree "$LOGDIR/tree.log" "make tree" tree_or_create &&
	stage config "$LOGDIR/config.log" "scripts/config.sh test configs/base.config configs/debug.config" \
		"$PROJ/scripts/config.sh" test "$PROJ/configs/base.config" "$PROJ/configs/debug.config" &&
	stage kernel "$LOGDIR/kernel.log" "scripts/build-kernel.sh test" "$PROJ/scripts/build-kernel.sh" test &&
	stage tests-build "$LOGDIR/tests-build.log" "scripts/build-tests.sh test" "$PROJ/scripts/build-tests.sh" test &&
	stage initramfs "$LOGDIR/initramfs.log" "scripts/initramfs.sh test" "$PROJ/scripts/initramfs.sh" test
}
