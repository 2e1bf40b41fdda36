// Package pinproc is what the side-by-side benchmarks (respbench,
// echobench) share: processes pinned to a core, and the CPU time a process
// has used, read from /proc.
package pinproc

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Command returns the command line run under taskset -c cpu (unless cpu < 0).
func Command(cpu int, name string, args ...string) *exec.Cmd {
	if cpu < 0 {
		return exec.Command(name, args...)
	}
	return exec.Command("taskset", append([]string{"-c", strconv.Itoa(cpu), name}, args...)...)
}

// CPUTime is the user+system CPU time of process pid so far (from
// /proc/PID/stat, in clock ticks of 10 ms), or 0 if it cannot be read.
func CPUTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// NumCPU is the machine's processors, as /proc/cpuinfo lists them (0 if it
// cannot be read).
func NumCPU() int {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "processor\t:")
}
