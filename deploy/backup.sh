#!/usr/bin/env bash
# Backs up what Secours cannot rebuild into a dated folder, and deletes the
# folders older than KEEP_DAYS days:
#   - the WhatsApp device database: the linked account's keys (without it,
#     the account must be linked again);
#   - Redis: conversations, referrals, structures' links, the observatory.
# Run it as root, every day, from cron or a systemd timer:
#   deploy/backup.sh               systemd install (deploy/secours.service)
#   deploy/backup.sh --compose     Docker install (deploy/compose.yaml)
#
# Settings, from the environment (all optional):
#   BACKUP_DIR       where the dated folders go          /var/backups/secours
#   KEEP_DAYS        days of backups kept                14
#   WHATSAPP_DB      the device database                 systemd: /var/lib/secours/whatsapp.db
#                                                        compose: whatsapp.db in the bot's /data volume
#   REDIS_CLI        how to call redis-cli (systemd)     redis-cli
#   REDISCLI_AUTH    Redis's password, if it has one (redis-cli reads it
#                    here, so that it never shows in ps)
#   COMPOSE_PROJECT  the compose project's name          secours
#
# The backups hold the account's keys and people's requests: keep them on an
# encrypted disk or copy them encrypted (restic, borg), never share them.
# Needs sqlite3 (apt-get install sqlite3) when WhatsApp is used.
set -euo pipefail
umask 077

BACKUP_DIR=${BACKUP_DIR:-/var/backups/secours}
KEEP_DAYS=${KEEP_DAYS:-14}
COMPOSE_PROJECT=${COMPOSE_PROJECT:-secours}
compose=false

die() {
  echo "backup: $*" >&2
  exit 1
}

case "${1:-}" in
  "") ;;
  --compose) compose=true ;;
  -h | --help)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 0
    ;;
  *) die "unknown argument '$1' (try --help)" ;;
esac
[[ $KEEP_DAYS =~ ^[1-9][0-9]*$ ]] || die "KEEP_DAYS must be a number of days, not '$KEEP_DAYS'"

# Where things are. In compose mode the files live in the containers'
# /data volumes, which root reads on the host at their mount source.
if $compose; then
  command -v docker >/dev/null || die "docker not found"
  container() {
    local id
    id=$(docker ps -q --filter "label=com.docker.compose.project=$COMPOSE_PROJECT" \
      --filter "label=com.docker.compose.service=$1")
    [[ -n $id ]] || die "the $1 container of compose project '$COMPOSE_PROJECT' is not running"
    echo "${id%%$'\n'*}"
  }
  data_of() {
    docker inspect -f '{{range .Mounts}}{{if eq .Destination "/data"}}{{.Source}}{{end}}{{end}}' "$1"
  }
  redis_id=$(container redis)
  secours_id=$(container secours)
  redis_cli=(docker exec)
  # The password, if any, goes in by name: never on a command line.
  [[ -z ${REDISCLI_AUTH:-} ]] || redis_cli+=(-e REDISCLI_AUTH)
  redis_cli+=("$redis_id" redis-cli)
  redis_data=$(data_of "$redis_id")
  [[ -n $redis_data ]] || die "the redis container has no /data volume"
  secours_data=$(data_of "$secours_id")
  WHATSAPP_DB=${WHATSAPP_DB:-${secours_data:+$secours_data/whatsapp.db}}
else
  read -r -a redis_cli <<<"${REDIS_CLI:-redis-cli}"
  redis_data=""
  WHATSAPP_DB=${WHATSAPP_DB:-/var/lib/secours/whatsapp.db}
fi

redis() {
  "${redis_cli[@]}" "$@"
}

# Each run writes to a .partial folder, renamed when everything is in it:
# a dated folder is always a whole backup.
stamp=$(date +%Y-%m-%dT%H%M%S)
dest="$BACKUP_DIR/$stamp"
work="$dest.partial"
mkdir -p "$BACKUP_DIR"
chmod 700 "$BACKUP_DIR"
[[ ! -e $dest && ! -e $work ]] || die "$dest already exists"
mkdir "$work"
trap 'rm -rf "$work"' EXIT

# --- WhatsApp device database ---------------------------------------------
case "$WHATSAPP_DB" in
  postgres://* | postgresql://*)
    echo "backup: WHATSAPP_DB is PostgreSQL: back it up with pg_dump, not here"
    ;;
  *)
    if [[ -f $WHATSAPP_DB ]]; then
      command -v sqlite3 >/dev/null || die "sqlite3 is needed for the WhatsApp database: apt-get install sqlite3"
      # SQLite's own online backup: a consistent copy while the bot runs
      # (a plain cp could catch a write half-way). Read-only, so that this
      # root process never creates a journal file the bot could not open.
      # The timeout waits for a write of the bot instead of failing on it.
      sqlite3 -readonly -cmd ".timeout 10000" "$WHATSAPP_DB" ".backup '$work/whatsapp.db'"
      check=$(sqlite3 -readonly "$work/whatsapp.db" "PRAGMA integrity_check;")
      [[ $check == ok ]] || die "the copy of the WhatsApp database is damaged: $check"
      echo "backup: WhatsApp device database saved"
    else
      echo "backup: no WhatsApp database at '$WHATSAPP_DB': skipped (WhatsApp not used?)"
    fi
    ;;
esac

# --- Redis ----------------------------------------------------------------
config_get() {
  # CONFIG GET prints the name, then the value.
  redis CONFIG GET "$1" | sed -n 2p
}
[[ $(redis PING) == PONG ]] || die "Redis does not answer (REDIS_CLI='${redis_cli[*]}')"
# A new snapshot: LASTSAVE moves when it is on disk. The pause makes sure
# a save that ends within this second still counts as new. A snapshot
# already being written (Redis's own "save" schedule) is waited out.
for ((i = 0; i < 600; i++)); do
  before=$(redis LASTSAVE)
  sleep 1
  reply=$(redis BGSAVE SCHEDULE)
  [[ $reply == *"already in progress"* ]] || break
done
[[ $reply == *"Background saving"* ]] || die "BGSAVE refused: $reply"
for ((i = 0; i < 600; i++)); do
  [[ $(redis LASTSAVE) -gt $before ]] && break
  sleep 1
done
[[ $(redis LASTSAVE) -gt $before ]] || die "BGSAVE did not finish within 10 minutes"
[[ $(redis INFO persistence | tr -d '\r' | sed -n 's/^rdb_last_bgsave_status://p') == ok ]] ||
  die "BGSAVE failed: see Redis's log"

# On the systemd install Redis runs on this machine: its folder is the
# host's. CONFIG may be disabled on a hardened Redis: Debian's defaults then.
if [[ -z $redis_data ]]; then
  redis_data=$(config_get dir) || true
  redis_data=${redis_data:-/var/lib/redis}
fi
rdb=$(config_get dbfilename) || true
aof=$(config_get appenddirname) || true
rdb=${rdb:-dump.rdb}
aof=${aof:-appendonlydir}
[[ -f $redis_data/$rdb ]] || die "no snapshot at $redis_data/$rdb"
mkdir "$work/redis"
# Redis writes a snapshot to a temporary file and renames it: the file is
# whole. The AOF is copied too (its last write may be cut; Redis repairs a
# cut end when it loads it), though the snapshot alone restores everything
# up to this backup.
cp -p "$redis_data/$rdb" "$work/redis/"
if [[ -d $redis_data/$aof ]]; then
  cp -pr "$redis_data/$aof" "$work/redis/"
fi
echo "backup: Redis snapshot saved"

# Checksums, to tell a damaged copy from a good one before a restore.
sums=$(cd "$work" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
printf '%s\n' "$sums" >"$work/SHA256SUMS"
mv "$work" "$dest"
trap - EXIT
echo "backup: done: $dest"

# Old backups go only after a good one is made, and only folders this
# script names (YYYY-MM-DDTHHMMSS), never anything else in BACKUP_DIR.
find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d \
  -name '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]*' \
  -mtime +"$((KEEP_DAYS - 1))" -exec rm -rf {} +
