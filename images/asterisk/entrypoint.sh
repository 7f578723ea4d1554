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

exec /usr/sbin/asterisk -f -n -vvv "$@"
