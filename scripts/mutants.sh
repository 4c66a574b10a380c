#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# mutants.sh: `make mutants`. Each mutants/NN-name.patch is a small,
# realistic bug in the series' own code (its first line says which). For
# each in turn: apply it to the work tree, rebuild the test kernel
# incrementally, boot it with the tests make check runs on the series
# (guest/tests.list without the 7.3 selftests, the benchmark and the demo,
# the quickest discriminating ones first; vdm.failfast=1 stops the list at
# the first failing program, or before it if KUnit failed at boot),
# summarise the
# run as make check does, and take the mutant out again. The mutant is
# killed if the run fails, survived if it passes. A mutant whose patch has
# an "Equivalent: reason" line cannot be killed for that reason and is
# reported, not counted. TAP on stdout, one test per mutant (not ok:
# survived, or did not apply or build), then the mutation score. At the end
# the test kernel is rebuilt without any mutant.
#
# MUTANTS="03 17" runs only the mutants whose numbers are given.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ -d "$TREE/.git" ] || die "no work tree at $TREE: run 'make tree' (or make check) first"
"$PROJ/scripts/export-check.sh" >/dev/null ||
	die "the work tree is not patches/: 'make export' or 'make tree' first"
[ -z "$(git -C "$TREE" status --porcelain --untracked-files=no)" ] ||
	die "the work tree has uncommitted changes: commit or stash them first"

R=$OUT/mutants
rm -rf "$R"
mkdir -p "$R" "$OUT/lists"
list=mutants
# The series' tests from guest/tests.list, with their kunit, require and
# skip lines.
# The quickest tests that see most bugs come first, so that a killed mutant
# is killed early.
series_tests='^(bar_in_ram_section|vfio_pci_bar_mmap_test|vfio_pci_dmabuf_|vfio_dmabuf_fuzz|ivshmem_hostcheck)'
first='^(bar_in_ram_section|vfio_pci_dmabuf_vend_test@edu-ram|vfio_pci_dmabuf_fence_test@edu|vfio_pci_dmabuf_holder_test@edu|vfio_pci_dmabuf_type1_test|vfio_pci_dmabuf_importer_test@edu|vfio_pci_dmabuf_importer_test@ivshmem64M|vfio_pci_dmabuf_mmap_test@edu-rp|vfio_pci_dmabuf_vend_test@ivshmem64M|vfio_pci_bar_mmap_test@edu-rp)$'
awk -v re="$series_tests" -v first="$first" '
	/^# (kunit|require):/ { print; next }
	/^# (skip|tests):/ { split($0, f, " "); if (f[3] ~ re) skips = skips $0 "\n"; next }
	/^#/ || NF == 0 { next }
	$1 ~ first { print; next }
	$1 ~ re { rest = rest $0 "\n" }
	END { printf "%s%s", rest, skips }' "$PROJ/guest/tests.list" > "$OUT/lists/$list.list"

mapfile -t all < <(find "$PROJ/mutants" -name '[0-9][0-9]-*.patch' | sort)
muts=()
for m in "${all[@]}"; do
	num=$(basename "$m" | cut -c1-2)
	if [ -z "${MUTANTS:-}" ] || [[ " $MUTANTS " == *" $num "* ]]; then
		muts+=("$m")
	fi
done
[ ${#muts[@]} -gt 0 ] || die "no mutants in $PROJ/mutants match MUTANTS='${MUTANTS:-}'"

applied=
restore() {
	[ -n "$applied" ] && git -C "$TREE" apply -R "$applied" 2>/dev/null
	applied=
}
trap restore EXIT

echo "mutants: ${#muts[@]} mutants, guest list $OUT/lists/$list.list, logs in $R" >&2
stage tests-build "$R/tests-build.log" "scripts/build-tests.sh test" \
	"$PROJ/scripts/build-tests.sh" test || exit 1
stage initramfs "$R/initramfs.log" "scripts/initramfs.sh test" \
	"$PROJ/scripts/initramfs.sh" test || exit 1

echo "TAP version 13"
echo "1..${#muts[@]}"
n=0 killed=0 survived=0 equivalent=0 broken=0
for m in "${muts[@]}"; do
	n=$((n + 1))
	name=$(basename "$m" .patch)
	log=$R/$name
	mkdir -p "$log"
	t0=$(date +%s)
	echo "# $name: $(head -1 "$m" | sed 's/^Mutant: //')"
	equiv=$(sed -n 's/^Equivalent: //p' "$m")
	if ! git -C "$TREE" apply "$m" 2> "$log/apply.log"; then
		echo "not ok $n $name # does not apply: $log/apply.log"
		broken=$((broken + 1))
		continue
	fi
	applied=$m
	if ! "$PROJ/scripts/build-kernel.sh" test > "$log/build.log" 2>&1; then
		restore
		echo "not ok $n $name # does not build: $log/build.log"
		broken=$((broken + 1))
		continue
	fi
	# A test that hangs under a mutant is stopped after 240 s (not 600).
	GUEST_APPEND="vdm.failfast=1 vdm.timeout=240" \
		"$PROJ/scripts/run-guest.sh" test "$list" > "$log/guest.log" 2>&1
	# The summary reads the ivshmem backing files, so before they go
	"$PROJ/scripts/tap-summary.py" --guest "$OUT/guest-$list" \
		--list "$OUT/lists/$list.list" > "$log/summary.txt" 2>&1
	rc=$?
	# A summary that failed without naming a failure broke: not a kill
	[ $rc -ne 0 ] && ! grep -q '^FAIL ' "$log/summary.txt" && rc=99
	rm -f "$OUT/guest-$list"/ivshmem-*.img
	cp -r "$OUT/guest-$list"/. "$log/"
	restore
	secs=$(( $(date +%s) - t0 ))
	first=$(grep -m1 '^FAIL ' "$log/summary.txt" | cut -c1-160)
	printf '[%s] %-34s %s (%ss)\n' "$(elapsed)" "$name" \
		"$([ $rc -ne 0 ] && echo killed || echo survived)" "$secs" >&2
	if [ $rc -eq 99 ]; then
		broken=$((broken + 1))
		echo "not ok $n $name # the summary broke: $log/summary.txt"
	elif [ $rc -ne 0 ]; then
		killed=$((killed + 1))
		echo "ok $n $name # killed in ${secs}s: $first"
	elif [ -n "$equiv" ]; then
		equivalent=$((equivalent + 1))
		echo "ok $n $name # SKIP equivalent, survives: $equiv"
	else
		survived=$((survived + 1))
		echo "not ok $n $name # survived (${secs}s): $log/summary.txt"
	fi
done
restore
trap - EXIT
stage rebuild "$R/rebuild.log" "scripts/build-kernel.sh test" \
	"$PROJ/scripts/build-kernel.sh" test || exit 1
counted=$((killed + survived + broken))
score=$(( counted ? 100 * killed / counted : 0 ))
echo "# mutation score: $killed of $counted killed ($score%); $survived survived," \
	"$broken did not apply or build, $equivalent equivalent"
echo "mutants: $killed killed, $survived survived, $broken broken, $equivalent equivalent in $(elapsed)" >&2
[ $survived -eq 0 ] && [ $broken -eq 0 ]
