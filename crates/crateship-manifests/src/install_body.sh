
say() {
	printf '%s\n' "$*"
}

fail() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

have() {
	command -v "$1" >/dev/null 2>&1
}

work_dir=''
cleanup() {
	if [ -n "$work_dir" ]; then
		rm -rf "$work_dir"
	fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# Whether version $1 (MAJOR.MINOR) is at least $2.
version_at_least() {
	have_major=${1%%.*}
	have_minor=${1#*.}
	have_minor=${have_minor%%.*}
	need_major=${2%%.*}
	need_minor=${2#*.}
	need_minor=${need_minor%%.*}
	for number in "$have_major" "$have_minor" "$need_major" "$need_minor"; do
		case "$number" in
			'' | *[!0-9]*) return 1 ;;
		esac
	done
	[ "$have_major" -gt "$need_major" ] && return 0
	[ "$have_major" -eq "$need_major" ] && [ "$have_minor" -ge "$need_minor" ]
}

# Sets host_glibc to the version of the host's glibc, empty for musl or no ldd.
detect_glibc() {
	host_glibc=''
	have ldd || return 0
	ldd_text=$(ldd --version 2>&1 || true)
	first_line=$(printf '%s\n' "$ldd_text" | sed -n 1p)
	case "$first_line" in
		*GLIBC* | *'GNU libc'* | *'GNU C Library'*) ;;
		*) return 0 ;;
	esac
	candidate=${first_line##* }
	case "$candidate" in
		[0-9]*.[0-9]*) host_glibc=$candidate ;;
	esac
}

download() {
	if have curl; then
		curl --fail --silent --show-error --location --proto "$CURL_PROTOCOLS" --proto-redir "$CURL_PROTOCOLS" --output "$2" "$1"
	elif have wget; then
		wget -q -O "$2" "$1"
	else
		fail "neither curl nor wget is installed; install one of them and run this script again"
	fi
}

sha256_of() {
	if have sha256sum; then
		sha256sum "$1" | awk '{ print $1 }'
	else
		shasum -a 256 "$1" | awk '{ print $1 }'
	fi
}

case "$(uname -s)" in
	Linux) os=linux ;;
	Darwin) os=macos ;;
	*) fail "$APP_NAME $APP_VERSION has no build for $(uname -s); see $HOMEPAGE for other ways to install it" ;;
esac
case "$(uname -m)" in
	x86_64 | amd64) arch=x86_64 ;;
	aarch64 | arm64) arch=aarch64 ;;
	*) fail "$APP_NAME $APP_VERSION has no build for the $(uname -m) CPU; see $HOMEPAGE for other ways to install it" ;;
esac

if [ "$os" = linux ]; then
	detect_glibc
	if [ -n "$host_glibc" ] && { [ -z "$GLIBC_FLOOR" ] || version_at_least "$host_glibc" "$GLIBC_FLOOR"; } && archive_for linux "$arch" gnu; then
		say "this system has glibc $host_glibc: installing the gnu build"
	elif archive_for linux "$arch" musl; then
		if [ -n "$host_glibc" ]; then
			say "this system has glibc $host_glibc, older than the $GLIBC_FLOOR the gnu build needs: installing the musl build"
		else
			say "no glibc found on this system: installing the static musl build"
		fi
	elif [ -n "$host_glibc" ]; then
		fail "this system has glibc $host_glibc, but $APP_NAME $APP_VERSION for $arch needs glibc $GLIBC_FLOOR or newer and has no musl build; upgrade the system or see $HOMEPAGE"
	else
		fail "$APP_NAME $APP_VERSION has no Linux build for $arch without glibc; see $HOMEPAGE"
	fi
else
	archive_for macos "$arch" '' || archive_for macos universal '' ||
		fail "$APP_NAME $APP_VERSION has no macOS build for $arch; see $HOMEPAGE"
fi

if ! have sha256sum && ! have shasum; then
	fail "neither sha256sum nor shasum is installed, so the download cannot be checked; install coreutils (or perl's shasum) and run this script again"
fi
have tar || fail "tar is not installed; install it and run this script again"

prefix=${PREFIX:-${HOME:-}/.local}
[ "$prefix" != /.local ] || fail "neither PREFIX nor HOME is set; set PREFIX to the directory to install into (programs go to PREFIX/bin)"
bin_dir=$prefix/bin

work_dir=$(mktemp -d "${TMPDIR:-/tmp}/install-$APP_NAME.XXXXXX") || fail "cannot create a temporary directory"

say "downloading $BASE_URL/$archive_file"
download "$BASE_URL/$archive_file" "$work_dir/$archive_file" ||
	fail "cannot download $BASE_URL/$archive_file; nothing was installed"
download "$BASE_URL/SHA256SUMS" "$work_dir/SHA256SUMS" ||
	fail "cannot download $BASE_URL/SHA256SUMS; nothing was installed"

if [ -n "$MINISIGN_KEY" ]; then
	if have minisign; then
		download "$BASE_URL/SHA256SUMS.minisig" "$work_dir/SHA256SUMS.minisig" ||
			fail "this release is signed, but $BASE_URL/SHA256SUMS.minisig cannot be downloaded; nothing was installed"
		minisign -V -q -m "$work_dir/SHA256SUMS" -x "$work_dir/SHA256SUMS.minisig" -P "$MINISIGN_KEY" >/dev/null 2>&1 ||
			fail "SHA256SUMS does not match its minisign signature; nothing was installed"
		say "SHA256SUMS: minisign signature verified"
	else
		say "note: minisign is not installed, so the signature of SHA256SUMS is not checked (install minisign to check it)"
	fi
fi
if [ -n "$OPENPGP_KEY" ]; then
	if have gpg; then
		download "$BASE_URL/SHA256SUMS.asc" "$work_dir/SHA256SUMS.asc" ||
			fail "this release is signed, but $BASE_URL/SHA256SUMS.asc cannot be downloaded; nothing was installed"
		mkdir -m 700 "$work_dir/gnupg"
		printf '%s\n' "$OPENPGP_KEY" >"$work_dir/key.asc"
		gpg --batch --quiet --homedir "$work_dir/gnupg" --import "$work_dir/key.asc" >/dev/null 2>&1 ||
			fail "cannot import the OpenPGP key embedded in this script"
		gpg --batch --quiet --homedir "$work_dir/gnupg" --verify "$work_dir/SHA256SUMS.asc" "$work_dir/SHA256SUMS" >/dev/null 2>&1 ||
			fail "SHA256SUMS does not match its OpenPGP signature; nothing was installed"
		say "SHA256SUMS: OpenPGP signature verified"
	else
		say "note: gpg is not installed, so the OpenPGP signature of SHA256SUMS is not checked (install gnupg to check it)"
	fi
fi

listed=$(awk -v name="$archive_file" '$2 == name || $2 == "*" name { print $1; exit }' "$work_dir/SHA256SUMS" | tr 'A-F' 'a-f')
[ -n "$listed" ] || fail "SHA256SUMS does not list $archive_file; nothing was installed"
[ "$listed" = "$archive_sha256" ] ||
	fail "SHA256SUMS lists $listed for $archive_file, but this script was made for $archive_sha256; nothing was installed"
actual=$(sha256_of "$work_dir/$archive_file" | tr 'A-F' 'a-f')
[ "$actual" = "$listed" ] ||
	fail "$archive_file has SHA-256 $actual, but SHA256SUMS says $listed: the download is damaged or was altered; nothing was installed"
say "$archive_file: SHA-256 matches SHA256SUMS"

mkdir "$work_dir/unpacked"
tar -xzf "$work_dir/$archive_file" -C "$work_dir/unpacked" ||
	fail "cannot unpack $archive_file; nothing was installed"
source_dir=$work_dir/unpacked
[ -z "$archive_root" ] || source_dir=$source_dir/$archive_root
for program in $BINARIES; do
	[ -f "$source_dir/$program" ] || fail "$archive_file has no $program; nothing was installed"
done

mkdir -p "$bin_dir" || fail "cannot create $bin_dir"
for program in $BINARIES; do
	staged=$bin_dir/.$program.installing
	if ! { cp "$source_dir/$program" "$staged" && chmod 755 "$staged" && mv -f "$staged" "$bin_dir/$program"; }; then
		rm -f "$staged"
		fail "cannot install $program into $bin_dir"
	fi
	say "installed $bin_dir/$program"
done

say "$APP_NAME $APP_VERSION is installed in $bin_dir"
case ":${PATH:-}:" in
	*":$bin_dir:"*) ;;
	*) say "note: $bin_dir is not on PATH; add it to PATH to run $APP_NAME" ;;
esac
