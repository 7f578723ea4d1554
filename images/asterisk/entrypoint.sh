#!/bin/sh
# Run Asterisk in the foreground as root, without colours, with the verbose
# log on stdout so that `docker logs` shows it.
# Running as root is done by not passing -U: `-U root` makes Asterisk drop
# its capabilities and fail.
set -eu

# The folders and prompts Asterisk reads, as any Asterisk of this image
# needs them (a throwaway one that grading starts too).
/usr/local/bin/asterisk-prepare

# A site's IPBX lives on its network holder's network: when the holder
# restarts, that network is gone from here (no address left). Asterisk is
# then stopped, so that Docker starts this container again, on the holder's
# new network.
(
    while sleep 1; do
        if [ -z "$(ip -o -4 addr show scope global)" ]; then
            echo "asterisk-entrypoint: the network is gone; stopping Asterisk to start again on the new one" >&2
            pkill -KILL -x asterisk
            exit 0
        fi
    done
) &

exec /usr/sbin/asterisk -f -n -vvv "$@"
