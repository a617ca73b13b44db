#!/usr/bin/env bash
# Writes a Mosquitto password file for twinfold's ACL (deploy/mosquitto/acl):
#   scripts/mosquitto-passwd.sh PASSWORD_FILE CREDENTIALS_FILE USER[:PASSWORD]...
# One user per argument: twinfold-bridge for the bridge, and each device's id as its user name.
# A user given without a password gets a random one. PASSWORD_FILE receives the hashes
# (mosquitto_passwd); CREDENTIALS_FILE (mode 600) the clear "user:password" lines to hand out.
# Both are replaced.
set -euo pipefail

if [[ $# -lt 3 ]]; then
  echo "usage: $0 PASSWORD_FILE CREDENTIALS_FILE USER[:PASSWORD]..." >&2
  exit 2
fi
command -v mosquitto_passwd >/dev/null || {
  echo "mosquitto_passwd not found: install mosquitto (Debian/Ubuntu: apt-get install mosquitto)" >&2
  exit 1
}
passwd_file=$1 credentials_file=$2
shift 2

: >"$passwd_file"
(umask 077 && : >"$credentials_file")
for entry in "$@"; do
  user=${entry%%:*}
  if [[ "$entry" == *:* ]]; then password=${entry#*:}; else password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n'); fi
  if [[ ! "$user" =~ ^[A-Za-z0-9._-]{1,128}$ ]]; then
    echo "$0: user name must match [A-Za-z0-9._-]{1,128} (a device id, or twinfold-bridge): $user" >&2
    exit 2
  fi
  mosquitto_passwd -b "$passwd_file" "$user" "$password"
  printf '%s:%s\n' "$user" "$password" >>"$credentials_file"
done
