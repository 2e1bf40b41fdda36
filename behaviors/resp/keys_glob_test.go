package resp_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestKeysStarRunCostsOnce sends KEYS and SCAN MATCH a pattern of 4 million
// stars over 20 000 keys. Each key once walked the whole run (80 billion
// steps, where exchange's 10 s deadline ends the test); the run is now cut
// to one star before the keys are tried, and the answer is the same.
func TestKeysStarRunCostsOnce(t *testing.T) {
	srv := startResp(t)
	var load strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&load, "SET key:%d v\r\n", i)
	}
	stars := strings.Repeat("*", 4<<20)
	bulk := func(s string) string { return fmt.Sprintf("$%d\r\n%s\r\n", len(s), s) }
	in := "*2\r\n$4\r\nKEYS\r\n" + bulk(stars+"key:1999") + "*6\r\n$4\r\nSCAN\r\n$1\r\n0\r\n$5\r\nMATCH\r\n" + bulk(stars+"9999") + "$5\r\nCOUNT\r\n$6\r\n100000\r\n"
	got := string(exchange(t, srv.Addr, []byte(load.String()+in)))
	want := "*1\r\n$8\r\nkey:1999\r\n" + "*2\r\n$1\r\n0\r\n*2\r\n$8\r\nkey:9999\r\n$9\r\nkey:19999\r\n"
	if !strings.HasSuffix(got, want) {
		t.Fatalf("KEYS and SCAN of a long run of stars: got ...%q; want ...%q", got[max(0, len(got)-200):], want)
	}
}
