/**
 * Bash supervisor placed between Node and a server process. It owns the server's
 * lifetime so that nothing outlives the Node process, however that process ends:
 *
 * - stdin is a pipe only Node writes to. EOF (stop(), or Node dying for any reason,
 *   SIGKILL included) makes the guard stop the server (SIGTERM, then SIGKILL after the
 *   grace period) and remove the data dir unless told to keep it.
 * - Lines on stdin: `start` launches the server (replying `started <pid>`), `stop`
 *   stops it gracefully. Whenever the server exits the guard reports `exited <status>`
 *   but stays alive, keeping the data dir for a restart on the same store.
 * - The guard ignores SIGPIPE so that a vanished reader cannot kill it before cleanup,
 *   and treats SIGTERM/SIGHUP/SIGINT as EOF.
 *
 * Positional arguments: log file, data dir, keep flag (1 keeps the dir), grace period
 * in tenths of a second, then the server command and its arguments.
 */
export const guardScript = String.raw`
trap '' PIPE
log=$1 dir=$2 keep=$3 grace_tenths=$4
shift 4
exec 2>>"$log"
pid=
quit=
trap 'quit=1' TERM HUP INT

alive() { [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

reap() {
  if [ -n "$pid" ] && ! alive; then
    wait "$pid"
    echo "exited $?"
    pid=
  fi
}

terminate() {
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null
  tenths=0
  while alive && [ "$tenths" -lt "$grace_tenths" ]; do
    sleep 0.1
    tenths=$((tenths + 1))
  done
  alive && kill -KILL "$pid" 2>/dev/null
  wait "$pid"
  echo "exited $?"
  pid=
}

partial=
while [ -z "$quit" ]; do
  # A short timeout lets the loop notice a server that died on its own. The timeout may
  # fall inside a line: read keeps what it got, and that begins the next command.
  if read -r -t 0.2 chunk; then
    command=$partial$chunk
    partial=
    case $command in
      start)
        reap
        if [ -z "$pid" ]; then
          "$@" >>"$log" 2>&1 </dev/null &
          pid=$!
        fi
        echo "started $pid"
        ;;
      stop) terminate ;;
    esac
  elif [ $? -gt 128 ]; then
    partial=$partial$chunk
  else
    break
  fi
  reap
done
terminate
[ "$keep" = 1 ] || rm -rf -- "$dir"
`;
