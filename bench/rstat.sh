#!/bin/bash
# rstat.sh TEST DEPTH N -- SERVER [ARGS...]: one redis-benchmark test against
# a resp server, the server pinned to cpu 0 and redis-benchmark to cpu 1, with
# perf stat counting the server's system calls and CPU (task-clock) over 3 s
# of the run. Server CPU per request is task-clock / (3 s x the rate printed).
# The server is started with a free port as its last argument. Needs perf,
# taskset and redis-benchmark. Example:
#
#	bench/rstat.sh set 16 2000000 -- ./async_server -behavior resp -log-file /dev/null
set -eu
t=$1 P=$2 n=$3
shift 4
port=$((20000 + RANDOM % 10000))
taskset -c 0 "$@" $port >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
sleep 0.7
out=$(mktemp)
taskset -c 1 redis-benchmark -p $port -c 50 -n $n -t $t -P $P -q >"$out" 2>&1 &
cl=$!
sleep 0.5
perf stat -e 'syscalls:sys_enter_read,syscalls:sys_enter_write,syscalls:sys_enter_epoll_pwait,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_futex,context-switches,task-clock' \
	-p $pid -- sleep 3 2>&1 | grep -E "syscalls|context|task-clock" | awk '{print $1, $2}'
wait $cl
tr '\r' '\n' <"$out" | tail -2
rm -f "$out"
