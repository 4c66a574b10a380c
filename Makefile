# SPDX-License-Identifier: GPL-2.0
# Front door of the harness: each target is one script in scripts/.
# KERNEL_SRC=/path/to/linux uses your own kernel git tree (at BASE_REF,
# default v7.3) instead of the work tree made from Debian's linux-source-7.3.
export KERNEL_SRC BASE_REF FORCE JOBS VERSION SEED OPS REPS AUTHOR MUTANTS GUESTS

all: demo

demo:		## build the patched kernel and show the series in a QEMU guest
	@scripts/demo.sh
check:		## every gate and test; ends with "N passed, N failed, N skipped"
	@scripts/check.sh
check-slow:	## make check's guest list in GUESTS (2) guests at once: each at about half speed, same budgets
	@scripts/check-slow.sh
deps:		## install the Debian packages the harness needs (root)
	@scripts/deps.sh
tree:		## (re)make the kernel work tree: base + git am patches/
	@scripts/tree.sh
export:		## write the work tree's commits back to patches/
	@scripts/export.sh
series:	## write the send-ready series (VERSION=3) to out/series/vN, To/Cc from get_maintainer.pl; send-email --dry-run
	@scripts/series.sh
export-check:	## fail if the work tree holds work that patches/ does not
	@scripts/export-check.sh
check-matrix:	## build-only configs: x86_64 without P2PDMA, i386 with vfio-pci as modules (TAP)
	@scripts/matrix.sh
htmldocs:	## the kernel's make htmldocs (Debian's Sphinx) on the docs the series changes (TAP)
	@scripts/htmldocs.sh
bench:		## base vs patched kernel, same config and guest: bench/RESULTS.md and bench/scaling.png (REPS=21)
	@scripts/bench.sh
bench-profile:	## function_graph profile of BAR mmap()+munmap(), base vs patched (PREV=<commit> adds that commit's series): bench/profile.md
	@scripts/bench-profile.sh
kunit:		## the KUnit suite with the kernel's runner: kunit.py run --kunitconfig=drivers/vfio/pci --arch=x86_64 (QEMU)
	@scripts/kunit.sh
mutants:	## each mutants/*.patch in turn: rebuild, run the series' tests, killed or survived (TAP, score); about 2 h for the 30 (README, "Times")
	@scripts/mutants.sh
soak:		## the DMABUF fuzzer for OPS steps (default 200000) from SEED (default: the time) under the test kernel
	@scripts/soak.sh
sparse:		## sparse, W=1 and kernel-doc on touched files: nothing new vs the base
	@scripts/warnings.sh
clean:		## remove build outputs in out/ (caches and work tree stay)
	rm -rf out
help:
	@grep -E '^[a-z-]+:.*##' Makefile | sed 's/:.*## /\t/'

.PHONY: all bench bench-profile demo check check-slow check-matrix deps tree export export-check kunit mutants series htmldocs soak sparse clean help
