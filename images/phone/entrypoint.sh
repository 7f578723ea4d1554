#!/bin/sh
# Run baresip in the foreground, headless (the config must not load the
# stdio module), reading its configuration from ${BARESIP_DIR:-/etc/baresip}.
set -eu

dir="${BARESIP_DIR:-/etc/baresip}"
if [ ! -f "$dir/config" ]; then
    echo "phone-entrypoint: missing $dir/config" >&2
    exit 1
fi

exec /usr/bin/baresip -f "$dir" "$@" </dev/null
