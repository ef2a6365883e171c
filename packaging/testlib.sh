# Helpers for the packaging tests (sourced by bash scripts): start a server, learn its port
# from the line it prints, stop it by PID. Every wait has a deadline.

# start_server LOG COMMAND...: runs COMMAND in the background (stdout and stderr in LOG) and
# waits, 10 s at most, for "listening on ADDRESS:PORT". Sets SERVER_PID and SERVER_PORT.
start_server() {
  local log=$1
  shift
  "$@" >"$log" 2>&1 &
  SERVER_PID=$!
  local deadline=$((SECONDS + 10))
  SERVER_PORT=
  while [[ -z $SERVER_PORT ]]; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "server exited before listening:" >&2
      cat "$log" >&2
      return 1
    fi
    if ((SECONDS >= deadline)); then
      echo "server did not listen within 10 s" >&2
      return 1
    fi
    sleep 0.05
    SERVER_PORT=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$log" | head -n 1)
  done
}

# stop_server: SIGTERM, 5 s to exit, then SIGKILL.
stop_server() {
  [[ -n ${SERVER_PID:-} ]] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  local deadline=$((SECONDS + 5))
  while kill -0 "$SERVER_PID" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.05; done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}

# step TEXT: a heading in the test's output.
step() { printf -- '--- %s\n' "$1"; }
