#!/bin/sh
#
# debian-deps.sh: make sure the Debian packages that hydra needs to build and
# test are installed.
#
# Run as root, it installs whatever is missing.  Run as anyone else, it
# prints the apt-get command that would, and fails.  On a system without
# dpkg it says so and succeeds: there the packages have other names, and the
# build itself reports what it cannot find.  Services that a package starts
# on installation are left as they are.

# The package lists are split into words on purpose.
# shellcheck disable=SC2086
set -eu

# Everything hydra needs, in one place: the compiler and libraries, the test
# tools, and Redis itself, which the tests use as a reference.
PACKAGES="build-essential pkg-config libbsd-dev libcjson-dev liblzf-dev bats
redis-server redis-tools python3 python3-redis"

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "debian-deps: no dpkg here; install the equivalents of these" \
	    "packages by hand:" $PACKAGES >&2
	exit 0
fi

missing=
for pkg in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) || status=
	case $status in
	*" installed") ;;
	*) missing="$missing $pkg" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "debian-deps: missing packages:$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
	echo "debian-deps: not root, so not installing them; run:" >&2
	echo "    sudo apt-get install$missing" >&2
	exit 1
fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y $missing
