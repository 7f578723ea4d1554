#!/bin/sh
# What an Asterisk of this image needs before it starts: its spool and state
# folders, no stale control socket, and the site's prompts.
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
