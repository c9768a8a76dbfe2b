#!/usr/bin/env bash
# `npm run test:dynamodb-local [-- <vitest args>]`: the data-layer suite (src/data/layer, or the given vitest arguments
# instead) against AWS's DynamoDB Local (Java) instead of dynalite, to catch where dynalite differs from DynamoDB.
# Opt-in; the normal suite stays on dynalite.
#
# - DynamoDB Local 1.25.1 comes from the npm package amplify-dynamodb-simulator@2.9.30 (emulator/DynamoDBLocal.jar),
#   installed once into a cache folder outside the project's dependencies:
#   ${THREADBOOK_CACHE:-$HOME/.cache/threadbook}/dynamodb-local. It needs Java (17 works).
# - DynamoDB Local has no host option and listens on every interface. So it runs, with the tests, inside a private
#   network namespace (`unshare -n`) that has only loopback: nothing outside can reach it, and port 8000 cannot clash.
# - test/global-setup.ts sees DYNAMODB_TEST_ENDPOINT and uses it instead of starting dynalite (s3rver and azurite start as usual).
set -euo pipefail

SIMULATOR="amplify-dynamodb-simulator@2.9.30"
CACHE="${THREADBOOK_CACHE:-$HOME/.cache/threadbook}/dynamodb-local"
EMULATOR_DIR="$CACHE/node_modules/amplify-dynamodb-simulator/emulator"
PORT=8000
ENDPOINT="http://127.0.0.1:$PORT"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { echo "[dynamodb-local] $*" >&2; }
die() { log "error: $*"; exit 1; }

# Second stage: inside the private network namespace.
if [[ "${1:-}" == "--inside-netns" ]]; then
  shift
  ip link set lo up
  # Refuse to go on if the namespace has any interface other than loopback.
  others="$(ip -o link show | awk -F': ' '{print $2}' | grep -v '^lo$' || true)"
  [[ -z "$others" ]] || die "the network namespace is not private (interfaces: $others)"

  java_log="$(mktemp -t dynamodb-local.XXXXXX.log)"
  (cd "$EMULATOR_DIR" && exec java -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar \
    -inMemory -port "$PORT" -disableTelemetry) >"$java_log" 2>&1 &
  java_pid=$!
  stop_java() {
    kill "$java_pid" 2>/dev/null || true
    wait "$java_pid" 2>/dev/null || true
    rm -f "$java_log"
  }
  trap stop_java EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  # Ready when it answers HTTP at all (a bare GET gets a 400 from DynamoDB Local). Node, because curl may be missing.
  started=$SECONDS
  until node -e 'fetch(process.argv[1]).then(() => process.exit(0), () => process.exit(1))' "$ENDPOINT" 2>/dev/null; do
    if ! kill -0 "$java_pid" 2>/dev/null; then cat "$java_log" >&2; die "DynamoDB Local exited during startup"; fi
    if (( SECONDS - started > 60 )); then cat "$java_log" >&2; die "DynamoDB Local did not answer on $ENDPOINT within 60 s"; fi
    sleep 0.2
  done
  log "DynamoDB Local is up on $ENDPOINT (private network namespace) after $((SECONDS - started)) s"

  cd "$ROOT"
  # Without arguments: the whole data-layer suite. With arguments: they replace it (test files, filters, vitest options).
  (( $# > 0 )) || set -- src/data/layer
  status=0
  DYNAMODB_TEST_ENDPOINT="$ENDPOINT" NODE_NO_WARNINGS=1 npx vitest run "$@" || status=$?
  exit "$status"
fi

# First stage: prerequisites, then re-run this script inside a new network namespace.
command -v java >/dev/null || die "java is required (Java 17 works): apt-get install -y openjdk-17-jre-headless"
java -version 2>&1 | head -n 1 | sed 's/^/[dynamodb-local] /' >&2
command -v unshare >/dev/null || die "unshare (util-linux) is required"
command -v ip >/dev/null || die "ip is required: apt-get install -y iproute2"

if [[ ! -f "$EMULATOR_DIR/DynamoDBLocal.jar" ]]; then
  log "installing $SIMULATOR into $CACHE (about 57 MB, once)"
  mkdir -p "$CACHE"
  npm install --no-save --no-audit --no-fund --prefix "$CACHE" "$SIMULATOR" >&2
  [[ -f "$EMULATOR_DIR/DynamoDBLocal.jar" ]] || die "$SIMULATOR did not provide emulator/DynamoDBLocal.jar"
fi

# Root gets a plain network namespace; anyone else needs a user namespace to create one.
unshare_flags=(--net)
[[ "$(id -u)" == 0 ]] || unshare_flags=(--map-root-user --net)
exec unshare "${unshare_flags[@]}" bash "${BASH_SOURCE[0]}" --inside-netns "$@"
