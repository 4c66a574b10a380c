#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# sparse-tool.sh: print the path of a sparse that understands 7.3's headers.
# Bookworm's sparse 0.6.4 chokes on __typeof_unqual__; Debian sid's build
# works, run through sid's own glibc loader. Both .debs are fetched once
# from the Debian archive apt uses here and unpacked (dpkg-deb -x) into the
# cache.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dir=$CACHE/sparse
wrapper=$dir/sparse
if [ -x "$wrapper" ] && "$wrapper" --version >/dev/null 2>&1; then
	echo "$wrapper"
	exit 0
fi
mirror=$(debian_mirror)
rm -rf "$dir" && mkdir -p "$dir/debs"
curl -sSf "$mirror/dists/sid/main/binary-amd64/Packages.xz" | xz -dc > "$dir/Packages"
for pkg in sparse libc6; do
	f=$(awk -v p="$pkg" '$1 == "Package:" { hit = ($2 == p) }
		hit && $1 == "Filename:" { print $2; exit }' "$dir/Packages")
	[ -n "$f" ] || die "sid has no $pkg package"
	curl -sSf -o "$dir/debs/$(basename "$f")" "$mirror/$f"
	dpkg-deb -x "$dir/debs/$(basename "$f")" "$dir/root"
done
lib=$dir/root/usr/lib/x86_64-linux-gnu
cat > "$wrapper" <<W
#!/bin/sh
exec "$lib/ld-linux-x86-64.so.2" --library-path "$lib" "$dir/root/usr/bin/sparse" "\$@"
W
chmod +x "$wrapper"
"$wrapper" --version >&2
echo "$wrapper"
