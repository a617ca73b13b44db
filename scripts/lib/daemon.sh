# Helpers shared by scripts/kafka.sh and scripts/registry.sh, which each run one background JVM
# with a pid file. Source it after setting `name` (the prefix of messages) and `pidfile`.

say() { printf '[%s] %s\n' "$name" "$*" >&2; }
die() { say "$*"; exit 1; }

# Prints the pid of the running process; fails when there is none.
running_pid() {
  [ -f "$pidfile" ] || return 1
  local pid
  pid=$(cat "$pidfile")
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# SIGTERM, then SIGKILL when the process has not exited after $1 seconds.
stop_daemon() {
  local grace=$1 pid
  if ! pid=$(running_pid); then
    rm -f "$pidfile"
    say "not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((grace * 10))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "no exit after $grace s; killing pid $pid"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  say "stopped"
}
