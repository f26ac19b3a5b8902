#!/usr/bin/env bash
# Prints the home of a JDK >= 25: JAVA_HOME, then the javac on PATH, then /usr/lib/jvm/*.
# Sourced or run; exits 1 with a message on stderr when there is none.
jdk_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1; }
find_jdk() {
  local candidates=() c
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v javac >/dev/null 2>&1; then candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"); fi
  for c in /usr/lib/jvm/*; do candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    if [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ]; then
      local major; major=$(jdk_major "$c")
      if [ -n "$major" ] && [ "$major" -ge 25 ]; then echo "$c"; return 0; fi
    fi
  done
  echo "pgdiffseg: no JDK >= 25 found (looked at JAVA_HOME, PATH and /usr/lib/jvm); install one or set JAVA_HOME" >&2
  return 1
}
if [ "${BASH_SOURCE[0]}" = "$0" ]; then find_jdk; fi
