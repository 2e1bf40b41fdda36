package resp_test

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// TestSortGetStreamsItsReply ensures SORT with GET patterns writes its reply
// as it goes, as Redis does, rather than first gathering every lookup: the
// reply is the elements times the GETs, so a request of a few kilobytes asks
// for a reply many times the data, and each gathered entry cost a slice
// header (24 bytes) on top of the reply's bytes. SORT of 1000 one-digit
// elements with 10 000 "GET #" peaked at 663 MB of resident memory where
// redis-server's peak was 119 MB. The bound: what the process allocates
// for the command, next to what it allocates for LRANGE's reply of the
// same bytes (4 MB more at most: the SORT request's 20 000 arguments,
// parsed; gathered, the lookups cost 27 MB more).
func TestSortGetStreamsItsReply(t *testing.T) {
	const elems, gets = 100, 10_000
	srv := startResp(t)
	rc := dialRESP(t, srv.Addr)
	for i := range elems * gets / 10_000 { // the same elements, elems*gets of them
		push := []string{"RPUSH", "big"}
		for j := range 10_000 {
			push = append(push, strconv.Itoa((i*10_000+j)%elems%10))
		}
		rc.roundTrip(t, push, 1)
	}
	sort := []string{"SORT", "l", "BY", "nosort"}
	for range gets {
		sort = append(sort, "GET", "#")
	}
	push := []string{"RPUSH", "l"}
	for i := range elems {
		push = append(push, strconv.Itoa(i%10))
	}
	rc.roundTrip(t, push, 1)
	size := int64(len(fmt.Sprintf("*%d\r\n", elems*gets)) + 7*elems*gets) // each "$1\r\nD\r\n"
	lrange := allocFor(t, rc, []string{"LRANGE", "big", "0", "-1"}, size)
	sorted := allocFor(t, rc, sort, size)
	t.Logf("a reply of %d bytes: LRANGE allocated %d, SORT %d", size, lrange, sorted)
	if sorted > lrange+4<<20 {
		t.Errorf("SORT of %d elements with %d GETs allocated %d bytes, LRANGE of the same reply %d: over 4 MB more", elems, gets, sorted, lrange)
	}
}

// allocFor sends args and reads its reply, of size bytes, and returns what
// the process allocated meanwhile.
func allocFor(t *testing.T, rc *respConn, args []string, size int64) int64 {
	t.Helper()
	var req bytes.Buffer
	fmt.Fprintf(&req, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&req, "$%d\r\n%s\r\n", len(a), a)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rc.c.SetDeadline(time.Now().Add(time.Minute))
	if _, err := rc.c.Write(req.Bytes()); err != nil {
		t.Fatal(err)
	}
	if got, err := rc.r.Peek(3); err != nil || got[0] != '*' {
		t.Fatalf("%s's reply starts %q, %v; want an array", args[0], got, err)
	}
	if _, err := io.CopyN(io.Discard, rc.r, size); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	return int64(after.TotalAlloc - before.TotalAlloc)
}
