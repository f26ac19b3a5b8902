#!/usr/bin/env bash
# aot_cache TARGET JAVA_ARGS...: the JDK's ahead-of-time cache for a launcher (JDK 25: JEP 483, 514, 515): the
# classes a run loads, already parsed and linked, with their methods' profiles, so that the JVM starts and warms
# up faster (docs/runtime.md, "Start-up cache", has the measurements). Made once per build and JDK by a training
# run of JAVA_ARGS (the launcher's own work on the sample images, @IN@ and @OUT@ in them replaced), kept in
# TARGET/aot, which only this script writes. Sets the array AOT_FLAGS to the JVM flags that use the cache, or
# leaves it empty where the cache cannot be made (the launcher then runs without it, as fast as before).
# PGDIFFSEG_AOT=off turns it off.
# Sourced by the launchers, after build_once.
aot_cache() {
  local target="$1"
  shift
  AOT_FLAGS=()
  [ "${PGDIFFSEG_AOT:-on}" != off ] || return 0
  local dir="$target/aot"
  local key
  # One cache per JDK: a cache made by another JVM is refused by this one.
  key="$(printf '%s\n%s' "$JAVA_HOME" "$(cat "$JAVA_HOME/release" 2>/dev/null || true)" | cksum | cut -d' ' -f1)"
  local cache="$dir/$key.aot"
  if ! _aot_cache_fresh "$target" "$cache"; then
    _aot_cache_failed "$target" "$cache" && return 0
    mkdir -p "$dir" 2>/dev/null && [ -w "$dir" ] || return 0
    exec 8> "$dir/.lock"
    flock 8
    if ! _aot_cache_fresh "$target" "$cache" && ! _aot_cache_failed "$target" "$cache"; then
      _aot_cache_make "$dir" "$cache" "$@" || true   # whatever fails in there, the launch goes on
    fi
    exec 8>&-
  fi
  if _aot_cache_fresh "$target" "$cache"; then
    AOT_FLAGS=(-XX:AOTCache="$cache" -Xlog:aot*=off -Xlog:cds*=off)
  fi
}

# True when CACHE was made after this build.
_aot_cache_fresh() {
  [ -f "$2" ] && [ "$2" -nt "$1/.built" ]
}

# True when making CACHE failed after this build: not tried again until the next one.
_aot_cache_failed() {
  [ -f "$2.failed" ] && [ "$2.failed" -nt "$1/.built" ]
}

# Runs the training with its output in a folder of its own under DIR (removed after), writes the cache under a
# temporary name and renames it into place; on failure leaves CACHE.failed with the log, so the next launch runs
# without a cache instead of training again.
_aot_cache_make() {
  local dir="$1" cache="$2"
  shift 2
  echo "pgdiffseg: making the JVM's start-up cache (once per build, under a minute)..." >&2
  rm -f "$dir"/*.aot "$dir"/*.aot.failed "$dir"/*.aot.log   # earlier builds' caches: this script's files only
  local work
  work="$(mktemp -d "$dir/train.XXXXXX")" || return 0
  # @IN@: the sample images ten times over (links), so that the training segments enough images for the
  # profiles of the per-image code to mean something; @OUT@: the training's output folder.
  mkdir -p "$work/in"
  local image round
  for image in "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"/images/*.png; do
    for round in 0 1 2 3 4 5 6 7 8 9; do
      ln -s "$image" "$work/in/${round}_$(basename "$image")"
    done
  done
  local args=()
  local arg
  for arg in "$@"; do
    arg="${arg//@IN@/$work/in}"
    args+=("${arg//@OUT@/$work/out}")
  done
  if "$JAVA_HOME/bin/java" -XX:AOTCacheOutput="$work/cache.aot" "${args[@]}" > "$cache.log" 2>&1 \
      && [ -s "$work/cache.aot" ]; then
    mv -f "$work/cache.aot" "$cache"
    rm -f "$cache.log"
  else
    mv -f "$cache.log" "$cache.failed"
    echo "pgdiffseg: the start-up cache could not be made (log: $cache.failed); running without it" >&2
  fi
  rm -rf "$work"
}
