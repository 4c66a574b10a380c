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
#
# Each patch gets its changelog from patches/changes-since-v2 below its
# "---" line.
#
# The patches go out as the person who sends them, who signs them off (the
# DCO): From: is AUTHOR='Name <address>' if given, else the kernel tree's
# git config user.name and user.email, in every patch and the cover letter,
# in place of the team placeholder of patches/, and each patch gets that
# person's Signed-off-by: as its last trailer. patches/ carries none: a tool
# must not certify the DCO (Documentation/process/coding-assistants.rst).  It
# refuses an unset identity, the placeholder, and addresses at example.org,
# example.com, example.net or a reserved top-level domain (.example, .test,
# .invalid, .localhost).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

version=${VERSION:-3}
dir=$OUT/series/v$version
placeholder="VFIO DMABUF Developers <vfio-dmabuf@example.org>"

# The sender: AUTHOR, or the kernel tree's git identity.
[ -d "$TREE/.git" ] || "$PROJ/scripts/tree.sh"
if [ -n "${AUTHOR:-}" ]; then
	sender=$AUTHOR
	from_where="AUTHOR"
else
	name=$(git -C "$TREE" config user.name 2>/dev/null || true)
	email=$(git -C "$TREE" config user.email 2>/dev/null || true)
	sender="$name <$email>"
	[ -n "$name" ] && [ -n "$email" ] || sender=
	from_where="git config user.name/user.email of $TREE"
fi
refuse() {
	die "make series: $1. The patches are sent as, and signed off by, the
person who sends them (Documentation/process/submitting-patches.rst, the
DCO). Give your own identity: make series AUTHOR='Your Name <you@your.domain>'
with your real name and address, or set it in the kernel tree:
git -C $TREE config user.name 'Your Name'; git -C $TREE config user.email you@your.domain"
}
[ -n "$sender" ] || refuse "no sender identity (AUTHOR unset, and no $from_where)"
[[ $sender =~ ^([^\<\>]*[^\<\>\ ])\ *\<([^\<\>@\ ]+@([^\<\>@\ ]+))\>$ ]] ||
	refuse "'$sender' ($from_where) is not 'Name <address>'"
sender_name=${BASH_REMATCH[1]}
domain=${BASH_REMATCH[3],,}
[ "$sender" != "$placeholder" ] ||
	refuse "'$sender' ($from_where) is the placeholder identity of patches/"
case $domain in
example.org|*.example.org|example.com|*.example.com|example.net|*.example.net|\
*.example|*.test|*.invalid|*.localhost|localhost|example|test|invalid)
	refuse "'$sender' ($from_where) has an address at a reserved example domain, not a person's" ;;
esac
case $sender_name in
"VFIO DMABUF Developers"|Seed*maintainers)
	refuse "'$sender' ($from_where) is a placeholder team name, not a person" ;;
esac

# Sending needs git-email and the Perl modules it only recommends:
# Mail::Address to parse addresses (even for --dry-run), and SMTP over TLS
# with authentication for a real send.
"$PROJ/scripts/deps.sh" git-email libmailtools-perl libio-socket-ssl-perl \
	libauthen-sasl-perl libnet-smtp-ssl-perl
"$PROJ/scripts/export-check.sh" >/dev/null ||
	die "the work tree is not patches/: 'make export' or 'make tree' first"
base=$(tree_base)
rm -rf "$dir"
mkdir -p "$dir"
SUBJECT_PREFIX="PATCH v$version" FORMAT_PATCH_ARGS="--base=$base" \
	"$PROJ/scripts/export.sh" "$dir" >/dev/null

# as_sender FILE: the placeholder's From: and shortlog heading become the
# sender's, a patch gets the sender's Signed-off-by: after its last trailer;
# no trace of the placeholder may remain.
as_sender() {
	python3 - "$1" "$sender" "$placeholder" <<'PY'
import re, sys
path, sender, placeholder = sys.argv[1:]
text = open(path).read()
head, body = text.split('\n\n', 1)
head = re.sub(r'^From: .*$', lambda m: 'From: ' + sender, head, count=1,
              flags=re.M)
if re.search(r'^Signed-off-by:', body.split('\n---\n', 1)[0], re.M):
    sys.exit(f'{path}: patches/ must carry no Signed-off-by:, only the sender adds one')
if not path.endswith('/0000-cover-letter.patch'):
    msg, rest = body.split('\n---\n', 1)
    body = msg.rstrip('\n') + '\nSigned-off-by: ' + sender + '\n---\n' + rest
name = placeholder.split(' <')[0]
body = re.sub(r'^' + re.escape(name) + r' \((\d+)\):$',
              lambda m: sender.split(' <')[0] + f' ({m.group(1)}):', body,
              flags=re.M)
text = head + '\n\n' + body
if placeholder.split('<')[1].rstrip('>') in text or name in text:
    sys.exit(f'{path}: the placeholder identity is still in it')
open(path, 'w').write(text)
PY
}

# get_maintainer ROLE-OPTIONS PATCH...: one address per line.
get_maintainer() {
	(cd "$TREE" && scripts/get_maintainer.pl --no-rolestats --no-git --no-fixes \
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
for p in "$cover" "${patches[@]}"; do
	as_sender "$p"
done

# Each patch's changelog (patches/changes-since-v2, an entry per subject)
# goes below its "---" line, where git am drops it; every patch needs an
# entry, and every entry a patch.
python3 - "$PROJ/patches/changes-since-v2" "${patches[@]}" <<'PY' ||
import re, sys
changes, paths = sys.argv[1], sys.argv[2:]
entries, cur = {}, None
for line in open(changes).read().split('\n'):
    if line.startswith('== '):
        cur = line[3:].strip()
        entries[cur] = []
    elif cur is not None:
        entries[cur].append(line)
    elif line and not line.startswith('#'):
        sys.exit(f'{changes}: text before the first "== subject" line')
used, bad = set(), []
for path in paths:
    text = open(path).read()
    head, body = text.split('\n\n', 1)
    m = re.search(r'^Subject: (.*(?:\n [^\n]*)*)', head, re.M)
    subject = re.sub(r'^\[[^]]*\]\s*', '', re.sub(r'\n\s+', ' ', m.group(1)))
    if subject not in entries:
        bad.append(f'no entry for "{subject}" ({path})')
        continue
    used.add(subject)
    log = '\n'.join(entries[subject]).strip('\n')
    body = re.sub(r'^---$', lambda _: '---\n' + log + '\n', body, count=1,
                  flags=re.M)
    open(path, 'w').write(head + '\n\n' + body)
bad += [f'entry "{s}" matches no patch' for s in entries if s not in used]
if bad:
    sys.exit(f'{changes}: ' + '; '.join(bad))
PY
	die "the changelogs in patches/changes-since-v2 do not match the series"
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
echo "series: From: and the Signed-off-by: added to each patch: $sender ($from_where)"
log=$LOGDIR/series-send-email.log
if ! git -C "$TREE" send-email --dry-run --confirm=never --quiet \
		--no-chain-reply-to --from="$sender" \
		"$cover" "${patches[@]}" > "$log" 2>&1 < /dev/null; then
	cat "$log" >&2
	die "git send-email --dry-run failed: log $log"
fi
echo "series: git send-email --dry-run: $(grep -c '^Dry-Sent' "$log") messages would be sent (log: $log)"
echo "series: recipients are in each file's To:/Cc: headers; to send: git send-email $dir/*.patch"
