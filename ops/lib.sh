# Shared by ops/up, ops/status, ops/test, ops/down and bench/run: a private PostgreSQL cluster on 127.0.0.1 (under
# .data/pg, or where the server's user can write it, see cluster_dir). Sourced, not executed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="$ROOT/.data"
PG_SUPERUSER="careregistry"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root for: $*"; fi; }

ensure_dotnet() {
  command -v dotnet >/dev/null || die "the .NET 10 SDK is required (https://dot.net); 'dotnet' is not on PATH"
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
}

# The build bundles the console's charts with npm and esbuild (src/CareRegistry.Api/Console/Scripts, docs/console.md).
ensure_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    log "node not found: installing Debian's nodejs and npm (the build bundles the console's charts)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
}

# The browser tests (tests/.../Browser) drive Debian's chromium by path; without fonts-noto-cjk Chinese renders as boxes.
# Installed only when missing, non-interactively, waiting for another apt run to finish rather than failing on its lock.
# Returns non-zero (and says why) when they cannot be installed: the browser tests then skip with that reason.
ensure_browser() {
  if [ -x /usr/bin/chromium ] && dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'ok installed'; then return 0; fi
  log "installing Debian's chromium and fonts-noto-cjk for the browser tests"
  if as_root apt-get -o DPkg::Lock::Timeout=600 update -qq \
     && as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null; then
    return 0
  fi
  printf 'warning: chromium or fonts-noto-cjk could not be installed; the browser tests will be skipped\n' >&2
  return 1
}

pg_bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# Installs Debian's postgresql when the server binaries are missing.
ensure_postgres_installed() {
  if [ -z "$(pg_bin_dir)" ] || [ ! -x "$(pg_bin_dir)/initdb" ]; then
    log "PostgreSQL server not found: installing Debian's postgresql"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-contrib >/dev/null
  fi
  PG_BIN="$(pg_bin_dir)"
  [ -x "$PG_BIN/initdb" ] || die "no initdb under /usr/lib/postgresql after installing postgresql"
  command -v psql >/dev/null || die "psql not found"
}

# initdb refuses to run as root, so root runs the cluster as the 'postgres' user.
run_pg() {
  # From /, which 'postgres' may enter even when the clone is in a folder it may not.
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_port() {
  local p
  for p in $(seq 55432 55532); do port_free "$p" && { echo "$p"; return; }; done
  die "no free port between 55432 and 55532"
}

# Where the private cluster lives. A non-root user runs the server as itself, under .data/pg. Root must run it as
# 'postgres' (initdb refuses root), and 'postgres' cannot enter a clone inside a folder only root may enter (/root,
# or any mode-700 folder): then the cluster lives under /var/lib/careregistry/<hash of this clone's path>, so two
# clones never share one. A cluster already under .data/pg is kept where it is.
cluster_dir() {
  local local_dir="$DATA/pg" shared_dir
  shared_dir="/var/lib/careregistry/$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)/pg"
  if [ "$(id -u)" -ne 0 ] || [ -f "$local_dir/PG_VERSION" ]; then echo "$local_dir"
  elif [ -f "$shared_dir/PG_VERSION" ]; then echo "$shared_dir"
  elif id postgres >/dev/null 2>&1 && runuser -u postgres -- test -x "$ROOT" 2>/dev/null \
       && { [ ! -d "$DATA" ] || runuser -u postgres -- test -x "$DATA" 2>/dev/null; }; then echo "$local_dir"
  else echo "$shared_dir"
  fi
}
PGDATA_DIR="$(cluster_dir)"

pg_running() { [ -f "$PGDATA_DIR/postmaster.pid" ] && run_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; }

# PostgreSQL's own cache: a quarter of the machine's memory, between 128 MB and 4 GB (Debian's default is 128 MB).
# Pages the server holds there stay in memory; the kernel's page cache may not (docs/performance.md, "The machine":
# the benchmark machine pages out files unread for about a minute, and a statement then waits for the disk).
shared_buffers_mb() {
  local mb limit; mb=$(awk '/^MemTotal:/ {print int($2 / 1024 / 4)}' /proc/meminfo 2>/dev/null)
  [ -n "$mb" ] || mb=128
  # In a container, the memory it may use (cgroup v2), when that is less than the machine's.
  limit=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || true)
  case "$limit" in ''|max|*[!0-9]*) ;; *) [ $((limit / 1048576 / 4)) -lt "$mb" ] && mb=$((limit / 1048576 / 4)) ;; esac
  [ "$mb" -lt 128 ] && mb=128
  [ "$mb" -gt 4096 ] && mb=4096
  echo "$mb"
}

# Checkpoints by time, not by every gigabyte of WAL: the registry writes several kB of WAL per command (the standing
# facts' index entries), and at 1 GB (the default) a checkpoint came about every minute under a write load, each
# followed by a full page image of every page touched again (docs/performance-log.md, "The fifteenth stop"). Full page
# images compressed (lz4 from PostgreSQL 15; pglz before it).
wal_options() {
  local version; version="$(basename "$(dirname "$PG_BIN")")"
  local compression=on; case "$version" in ''|*[!0-9]*) ;; *) [ "$version" -ge 15 ] && compression=lz4 ;; esac
  echo "-c max_wal_size=8GB -c checkpoint_timeout=15min -c wal_compression=$compression"
}

# Starts (creating if needed) the private cluster; idempotent. Sets PG_PORT.
start_private_cluster() {
  ensure_postgres_installed
  mkdir -p "$DATA"
  if [ ! -f "$PGDATA_DIR/PG_VERSION" ]; then
    log "creating a private PostgreSQL cluster in $PGDATA_DIR"
    rm -rf "$PGDATA_DIR"; mkdir -p "$PGDATA_DIR"
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres: "$PGDATA_DIR"
      runuser -u postgres -- test -w "$PGDATA_DIR" || die "user postgres cannot write $PGDATA_DIR (check the permissions of its parent folders)"
    fi
    # Which clone a cluster under /var/lib belongs to, for whoever finds it there.
    case "$PGDATA_DIR" in /var/lib/*) echo "$ROOT" >"$(dirname "$PGDATA_DIR")/clone" ;; esac
    chmod 700 "$PGDATA_DIR"
    # trust on loopback only: a private development cluster that no other host can reach
    run_pg "$PG_BIN/initdb" -D "$PGDATA_DIR" -U "$PG_SUPERUSER" -E UTF8 --locale=C.UTF-8 --auth=trust >"$DATA/initdb.log" 2>&1 \
      || { cat "$DATA/initdb.log" >&2; die "initdb failed"; }
  fi
  if pg_running; then
    PG_PORT="$(cat "$PGDATA_DIR/careregistry.port")"
  else
    PG_PORT="$(pick_port)"
    run_pg sh -c "echo $PG_PORT > '$PGDATA_DIR/careregistry.port'"
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    # A slow disk can take minutes for the first start (crash recovery, a cold cache); pg_ctl waits that long.
    run_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -w -t 600 \
      -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories='$PGDATA_DIR' -c max_connections=200 -c shared_buffers=$(shared_buffers_mb)MB $(wal_options)" start >/dev/null \
      || { tail -n 30 "$PGDATA_DIR/server.log" >&2; die "PostgreSQL did not start"; }
  fi
  export PG_PORT
}

stop_private_cluster() {
  PG_BIN="$(pg_bin_dir)"
  [ -n "$PG_BIN" ] || return 0
  if pg_running; then log "stopping PostgreSQL"; run_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop >/dev/null; fi
}

psql_admin() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U "$PG_SUPERUSER" -d postgres "$@"; }

ensure_database() {
  local db="$1"
  if [ "$(psql_admin -tAc "select 1 from pg_database where datname = '$db'")" != "1" ]; then
    psql_admin -c "create database \"$db\"" >/dev/null
  fi
}

recreate_database() {
  local db="$1"
  psql_admin -c "drop database if exists \"$db\" with (force)" >/dev/null
  psql_admin -c "create database \"$db\"" >/dev/null
}

connection_string() { echo "Host=127.0.0.1;Port=$PG_PORT;Database=$1;Username=$PG_SUPERUSER"; }

# The development signing key for bearer tokens: made once, kept under .data/ (never committed).
ensure_dev_signing_key() {
  mkdir -p "$DATA"
  if [ ! -s "$DATA/jwt-signing-key" ]; then
    command -v openssl >/dev/null || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null
    (umask 077; openssl rand -base64 32 > "$DATA/jwt-signing-key")
  fi
  export Auth__SigningKey="$(cat "$DATA/jwt-signing-key")"
  export Auth__Issuer="${Auth__Issuer:-careregistry-dev}" Auth__Audience="${Auth__Audience:-careregistry}"
}

# --- Services started by ops/up: one per URL and database, each with its own folder under .data/run/ ---------------

RUN_DIR="$DATA/run"

# A connection string told without its secrets: "database on host:port".
describe_db() {
  local cs="$1" host="" port="" db="" kv k v
  IFS=';' read -ra parts <<<"$cs"
  for kv in "${parts[@]}"; do
    k="$(tr '[:upper:]' '[:lower:]' <<<"${kv%%=*}" | tr -d ' ')"; v="${kv#*=}"
    case "$k" in host|server) host="$v" ;; port) port="$v" ;; database|db) db="$v" ;; esac
  done
  echo "${db:-?} on ${host:-?}:${port:-5432}"
}

# The folder of the service for a URL and a connection string: readable, and distinct for distinct databases.
instance_dir() {
  local url="$1" cs="$2" name
  name="$(sed -E 's#^[a-zA-Z]+://##; s#[^A-Za-z0-9.]+#_#g; s#_+$##' <<<"$url")--$(describe_db "$cs" | sed -E 's# on #@#; s#[^A-Za-z0-9.@]+#_#g')"
  echo "$RUN_DIR/$name-$(printf '%s' "$cs" | sha256sum | cut -c1-6)"
}

# True when the pid in a service folder is alive and is the registry (not a recycled pid).
instance_alive() {
  local pid
  [ -f "$1/pid" ] || return 1
  pid="$(cat "$1/pid")"
  kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'CareRegistry.Api.dll'
}

# Stops the service of a folder: SIGTERM, up to 20 s to finish in-flight requests, then SIGKILL.
stop_instance() {
  local dir="$1" pid
  if instance_alive "$dir"; then
    pid="$(cat "$dir/pid")"
    log "stopping the service for $(cat "$dir/url" 2>/dev/null) (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 80); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/pid"
}

# Every service folder, one a line.
instance_dirs() { [ -d "$RUN_DIR" ] && find "$RUN_DIR" -mindepth 1 -maxdepth 1 -type d | sort || true; }
