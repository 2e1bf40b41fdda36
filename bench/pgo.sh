#!/usr/bin/env bash
# pgo.sh makes default.pgo, the CPU profile that go build optimizes the server
# with (profile-guided optimization: go build and go run use default.pgo
# beside main.go by themselves). It profiles the server (-cpuprofile) under the
# loads its benchmarks measure, the server pinned to cpu 0 and the load to
# cpu 1 where taskset and two cores are there:
#
#   echo  bench/echobench's client, 100 connections then 1
#   resp  redis-benchmark's tests, -P 1 then -P 16
#   http  wrk, 50 keep-alive connections
#
# and merges the three profiles into ./default.pgo. Run it from anywhere after
# a change to a hot path, then measure (docs/benchmarks.md) and commit the
# profile. Needs go, redis-benchmark and wrk (Debian: redis-tools, wrk).
#
#	bash bench/pgo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in redis-benchmark wrk; do
  command -v "$tool" >/dev/null || { echo "pgo.sh: $tool is needed" >&2; exit 1; }
done
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# The code as it is, not as the last profile optimized it.
go build -pgo=off -o "$dir/async_server" .
(cd bench && go build -o "$dir/echobench" ./echobench)

server=() load=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  server=(taskset -c 0) load=(taskset -c 1)
fi

# profile BEHAVIOR LOAD...: serves BEHAVIOR with -cpuprofile, runs LOAD with
# the server's HOST:PORT as its last argument, then stops the server with
# CTRL+C's signal, which finishes the profile.
profile() {
  local behavior=$1
  shift
  "${server[@]}" "$dir/async_server" -behavior "$behavior" -log-file /dev/null -max-conns 10000 \
    -cpuprofile "$dir/$behavior.prof" 0 >"$dir/$behavior.out" 2>&1 &
  local pid=$! addr=""
  for _ in $(seq 100); do
    addr=$(sed -n 's/.* listening on \([^ ]*\).*/\1/p' "$dir/$behavior.out")
    [ -n "$addr" ] && break
    sleep 0.1
  done
  [ -n "$addr" ] || { echo "pgo.sh: $behavior did not start" >&2; kill "$pid"; exit 1; }
  "$@" "$addr"
  kill -INT "$pid"
  wait "$pid"
  echo "pgo.sh: profiled $behavior"
}

echo_load() {
  "${load[@]}" "$dir/echobench" -client "$1" -d 4s 100 >/dev/null
  "${load[@]}" "$dir/echobench" -client "$1" -d 2s 1 >/dev/null
}
resp_load() {
  local port=${1##*:}
  for depth in 1 16; do
    "${load[@]}" redis-benchmark -p "$port" -c 50 -n $((100000 * depth / 4 + 100000)) -P "$depth" -q \
      -t ping,set,get,incr,lpush,lpop,sadd,hset,zadd,mset >/dev/null
  done
}
http_load() {
  "${load[@]}" wrk -c 50 -t 1 -d 5s "http://$1/" >/dev/null
}

profile echo echo_load
profile resp resp_load
profile http http_load
go tool pprof -proto "$dir/echo.prof" "$dir/resp.prof" "$dir/http.prof" >"$dir/default.pgo" 2>/dev/null
mv "$dir/default.pgo" default.pgo
echo "pgo.sh: wrote default.pgo ($(wc -c <default.pgo) bytes); go build uses it from now on"
