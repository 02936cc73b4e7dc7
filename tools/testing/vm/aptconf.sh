# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# Sourced by the rig's scripts: apt configurations private to the rig, for
# Debian releases the host does not have. Each has its own sources list,
# lists, status and cache under DIR; the host's apt sources are never
# changed, and nothing is ever installed through them on the host (packages
# are fetched with "apt-get download" and unpacked with dpkg-deb -x).
#
#   apt_private DIR ARCHS SUITE...   writes DIR/apt.conf (ARCHS: "arm64" or
#                                    "arm64,armhf,amd64"; the first is apt's
#                                    own architecture)
#   apt_mirror                       the Debian mirror the host uses
#
# A mirror that is a dated snapshot of the archive serves Release files past
# their Valid-Until date: these configurations accept them.

apt_mirror() {
	_m=$(sed -n 's|^URIs: *\(http[^ ]*/debian\)$|\1|p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
	[ -n "$_m" ] || _m=$(sed -n 's|^deb \(http[^ ]*/debian\) .*|\1|p' /etc/apt/sources.list 2>/dev/null | head -n1)
	echo "${_m:-http://deb.debian.org/debian}"
}

apt_private() {
	_dir=$1 _archs=$2
	shift 2
	_mirror=$(apt_mirror)
	mkdir -p "$_dir/lists/partial" "$_dir/cache/archives/partial" "$_dir/etc/preferences.d"
	for _s; do
		echo "deb [arch=$_archs signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $_mirror $_s main"
	done >"$_dir/etc/sources.list"
	[ -f "$_dir/status" ] || : >"$_dir/status"
	{
		for _o in "Dir::Etc::SourceList $_dir/etc/sources.list" \
			 "Dir::Etc::SourceParts /nonexistent" \
			 "Dir::Etc::Preferences $_dir/etc/preferences" \
			 "Dir::Etc::PreferencesParts $_dir/etc/preferences.d" \
			 "Dir::State::Lists $_dir/lists" "Dir::State::status $_dir/status" \
			 "Dir::Cache $_dir/cache" "APT::Architecture ${_archs%%,*}" \
			 "APT::Sandbox::User root" "Acquire::Check-Valid-Until false"; do
			echo "${_o%% *} \"${_o#* }\";"
		done
		printf 'APT::Architectures { '
		echo "$_archs" | tr , '\n' | sed 's/.*/"&"; /' | tr -d '\n'
		echo '};'
	} >"$_dir/apt.conf.tmp"
	# whole or not at all: another suite's apt may be reading it
	mv "$_dir/apt.conf.tmp" "$_dir/apt.conf"
}
