#!/usr/bin/env bash
# build_once ROOT TARGET MODULE WATCHED...: builds MODULE of the Maven project at ROOT (with the modules it needs)
# unless TARGET/.built is newer than every WATCHED path. One build at a time per checkout (both launchers build
# the shared modules): a second launch waits for the first one's build (two Maven runs in one tree made one of
# them fail), then finds it fresh.
# Sourced by the launchers.
build_once() {
  local root="$1" target="$2" module="$3"
  shift 3
  local stamp="$target/.built"
  if ! _build_once_stale "$stamp" "$@"; then
    return 0
  fi
  mkdir -p "$target" "$root/target"
  exec 9> "$root/target/.build.lock"
  if ! flock -n 9; then
    echo "pgdiffseg: waiting for another launch's build of this checkout..." >&2
    flock 9
  fi
  if _build_once_stale "$stamp" "$@"; then
    echo "pgdiffseg: building (first use or sources changed)..." >&2
    if ! (cd "$root" && mvn -q -B -DskipTests install -pl "$module" -am) > "$target/build.log" 2>&1; then
      cat "$target/build.log" >&2
      echo "pgdiffseg: build failed (log: $target/build.log)" >&2
      exec 9>&-
      return 1
    fi
    touch "$stamp"
  fi
  exec 9>&-
}

# True when STAMP is missing or a WATCHED path (outside target folders) is newer than it. The target folders are
# pruned whole: a build writes into sdk/target, which changes that folder's own time too, and counting it made the
# two launchers rebuild on every alternate call.
_build_once_stale() {
  local stamp="$1"
  shift
  [ ! -f "$stamp" ] || [ -n "$(find "$@" -type d -name target -prune -o -newer "$stamp" -print -quit 2>/dev/null || true)" ]
}
