package resp_test

import "testing"

// TestProtocolErrorCloses ensures a protocol error gets Redis's exact reply,
// after the replies of the commands before it, and the connection closes.
func TestProtocolErrorCloses(t *testing.T) {
	srv := startResp(t)
	cases := []struct{ name, in, want string }{
		{"bad count", "*1\r\n$4\r\nPING\r\n*x\r\n", "+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n"},
		{"no dollar", "SET a 1\r\n*1\r\n:4\r\n", "+OK\r\n-ERR Protocol error: expected '$', got ':'\r\n"},
		{"bulk over the limit", "*1\r\n$536870913\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"quotes", "SET q 1\r\nGET q\r\nset \"a b\r\n", "+OK\r\n$1\r\n1\r\n-ERR Protocol error: unbalanced quotes in request\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := srv.Dial(t)
			c.SendString(tc.in)
			c.ExpectString(tc.want)
			c.ExpectClosed()
		})
	}
}

// TestInlineAndPipelined ensures inline commands (telnet's) and multibulk
// ones mixed in one write are all answered, in order, including connection
// commands between key-space ones.
func TestInlineAndPipelined(t *testing.T) {
	srv := startResp(t)
	c := srv.Dial(t)
	c.SendString("set k 'it''s'\r\n\r\nPING\nget k\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\n*1\r\n$4\r\nQUIT\r\nPING\r\n")
	c.ExpectString("-ERR Protocol error: unbalanced quotes in request\r\n")
	c.ExpectClosed()

	c = srv.Dial(t)
	c.SendString("set k \"a\\x41\\n\"\r\n\r\nPING\nget k\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\nSELECT 1\r\nget k\r\n*1\r\n$4\r\nQUIT\r\nPING\r\n")
	c.ExpectString("+OK\r\n+PONG\r\n$3\r\naA\n\r\n$0\r\n\r\n+OK\r\n$-1\r\n+OK\r\n")
	c.ExpectClosed()
}
