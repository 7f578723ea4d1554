#!/bin/sh
# Run Asterisk in the foreground as root, without colours, with the verbose
# log on stdout so that `docker logs` shows it.
# Running as root is done by not passing -U: `-U root` makes Asterisk drop
# its capabilities and fail.
set -eu

mkdir -p /var/spool/asterisk/voicemail /var/spool/asterisk/monitor \
         /var/spool/asterisk/recording /var/spool/asterisk/outgoing \
         /var/spool/asterisk/tmp /var/lib/asterisk /var/log/asterisk \
         /var/run/asterisk
rm -f /var/run/asterisk/asterisk.ctl /var/run/asterisk/asterisk.pid

# A site's own prompts (music on hold, pre-answer message) live on its volume,
# where 560 records them and `lab prompt` installs them; any not there yet
# starts as the one shipped in its config (lab-sounds/prompts).
if [ -d /etc/asterisk/lab-sounds/prompts ]; then
    mkdir -p /var/lib/asterisk/prompts
    cp -R --update=none /etc/asterisk/lab-sounds/prompts/. /var/lib/asterisk/prompts/
fi

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
