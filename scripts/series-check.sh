#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# series-check.sh: TAP, `make series` as make check runs it: it refuses to
# write the series without a sender, as the placeholder or at an example
# domain, and with a sender it writes patches from and signed off by that
# sender which pass git send-email --dry-run (the identity used here is no
# person's and is only ever dry-run).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

n=0 fail=0
result() {	# result OK NAME [WHY]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2${3:+ # $3}"
		fail=1
	fi
}
# refuses NAME PATTERN ENV...: make series fails and says PATTERN.
refuses() {
	local name=$1 pat=$2 out
	shift 2
	out=$(env "$@" "$PROJ/scripts/series.sh" 2>&1) &&
		{ result 1 "$name" "make series succeeded"; return; }
	grep -q "$pat" <<<"$out"
	result $? "$name" "no '$pat' in: $(head -1 <<<"$out")"
}

echo "TAP version 13"
echo "1..7"
# Only the person who sends certifies the DCO: no tool-made sign-off, and
# every patch says how it was made (coding-assistants.rst).
bad=$(grep -l '^Signed-off-by:' $(series_patches) "$PROJ/patches/0000-cover-letter.patch")
[ -z "$bad" ]
result $? "patches/ carries no Signed-off-by:" "in: $(echo $bad | xargs -rn1 basename | tr "\n" " ")"
bad=$(grep -L '^Assisted-by: LLM' $(series_patches))
[ -z "$bad" ]
result $? "every patch of patches/ has an Assisted-by: trailer" "not in: $(echo $bad | xargs -rn1 basename | tr "\n" " ")"
refuses "series refuses without a sender identity" "no sender identity" \
	AUTHOR= GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_SYSTEM=/dev/null \
	GIT_CONFIG_NOSYSTEM=1 HOME=/nonexistent
refuses "series refuses the placeholder of patches/" "placeholder identity" \
	"AUTHOR=VFIO DMABUF Developers <vfio-dmabuf@example.org>"
refuses "series refuses an address at example.com" "reserved example domain" \
	"AUTHOR=A Name <a.name@example.com>"

sender="series dry run <series-dry-run@localhost.localdomain>"
dir=$OUT/series/v3
out=$(AUTHOR=$sender "$PROJ/scripts/series.sh" 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
result $rc "series writes the patches and passes git send-email --dry-run"
bad=$(grep -L -x -F "From: $sender" "$dir"/*.patch
      grep -l -F "example.org" "$dir"/*.patch
      for p in "$dir"/0*.patch; do
	      case $p in */0000-cover-letter.patch) continue ;; esac
	      # one sign-off, the sender's, the last line of the message
	      [ "$(grep -c '^Signed-off-by:' "$p")" = 1 ] &&
		      sed '/^---$/q' "$p" | tail -n 2 | head -n 1 |
		      grep -q -x -F "Signed-off-by: $sender" || echo "$p"
      done)
[ $rc -eq 0 ] && [ -z "$bad" ]
result $? "every patch and the cover letter are from the sender, each patch signed off by the sender alone, last" \
	"not in: $(echo $bad)"
exit $fail
