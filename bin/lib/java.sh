# Sourced by the bin/ scripts: points JAVA_HOME at a JDK 25, which the build requires.
kybern_java_home() {
  local candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/java-25-*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    if "$candidate/bin/java" -version 2>&1 | grep -q 'version "25'; then
      echo "$candidate"
      return 0
    fi
  done
  echo "kybern: no JDK 25 found; install Temurin 25 or set JAVA_HOME to one" >&2
  return 1
}
JAVA_HOME=$(kybern_java_home) || exit 1
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
