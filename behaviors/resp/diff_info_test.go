package resp_test

import (
	"regexp"
	"testing"
)

// TestDifferentialInfoMaxmemory compares INFO memory's maxmemory and
// maxmemory_human with redis-server's for limits from none to past 2**63
// (the rest of INFO memory differs by design: see divergences).
func TestDifferentialInfoMaxmemory(t *testing.T) {
	redisAddr := startRedisServer(t)
	srv := startResp(t)
	fields := regexp.MustCompile(`(?m)^maxmemory(_human)?:.*$`)
	for _, v := range []string{"0", "1023", "1024", "1048575", "3gb", "2199023255552", "1125899906842623",
		"1125899906842624", "1152921504606846976", "9223372036854775808", "99999999999999999999"} {
		in := []byte("CONFIG SET maxmemory " + v + "\r\nINFO memory\r\nCONFIG SET maxmemory 0\r\n")
		ours := fields.FindAll(exchange(t, srv.Addr, in), -1)
		ref := fields.FindAll(exchange(t, redisAddr, in), -1)
		if len(ref) != 2 || len(ours) != 2 || string(ours[0]) != string(ref[0]) || string(ours[1]) != string(ref[1]) {
			t.Errorf("maxmemory %s: async_server %q; redis-server %q", v, ours, ref)
		}
	}
}
