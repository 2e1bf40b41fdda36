package resp_test

import (
	"regexp"
	"strings"
	"testing"
)

// clientFields picks the fields of a CLIENT LIST line that this server and
// redis-server should agree on: flags, multi and cmd (ids, addresses, ages
// and memory differ by design).
var clientFields = regexp.MustCompile(`(flags|multi|cmd|sub|psub)=\S*`)

// TestClientListFlagsDifferential ensures CLIENT LIST shows another client's
// flags and last command as redis-server does: P for a subscriber, x in
// MULTI, e for no-evict, and the last command as looked up, queued or
// refused included (Redis's lastcmd: cmd=get inside MULTI, where this server
// said cmd=multi and flags=N for a subscriber).
func TestClientListFlagsDifferential(t *testing.T) {
	redisAddr := startRedisServer(t)
	srv := startResp(t)
	for _, steps := range [][]string{
		{"MULTI", "GET a"},
		{"SUBSCRIBE c", "PSUBSCRIBE p*"},
		{"CLIENT NO-EVICT on", "MULTI", "SET a b"},
		{"GET a", "NOSUCHCOMMAND"},
		{"GET a", "CLIENT NOSUCH"},
		{"GET a", "GET"},
	} {
		var got [2]string
		for i, addr := range []string{srv.Addr, redisAddr} {
			watched, looker := dialRESP(t, addr), dialRESP(t, addr)
			id := strings.TrimSpace(strings.TrimPrefix(string(watched.roundTrip(t, []string{"CLIENT", "ID"}, 1)), ":"))
			for _, step := range steps {
				watched.roundTrip(t, strings.Fields(step), 1) // one reply each (one channel a SUBSCRIBE)
			}
			line := string(looker.roundTrip(t, []string{"CLIENT", "LIST", "ID", id}, 1))
			got[i] = strings.Join(clientFields.FindAllString(line, -1), " ")
		}
		if got[0] != got[1] {
			t.Errorf("after %q: async_server %q; redis-server %q", steps, got[0], got[1])
		}
	}
}
