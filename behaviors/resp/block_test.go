package resp_test

import (
	"testing"
)

// TestBlockingPop ensures a parked request is answered when a key it waits
// on changes (by another connection), with the replies of the commands
// pipelined before it first and its connection's later commands after it;
// that one whose timeout passes gets the timeout reply; and that a
// connection that goes is forgotten (the next push goes to the one waiting
// after it).
func TestBlockingPop(t *testing.T) {
	srv := startResp(t)
	a, b, gone := srv.Dial(t), srv.Dial(t), srv.Dial(t)

	gone.SendString("test.bpop q 0\r\n")
	a.SendString("PING\r\ntest.bpop q 0\r\nECHO after\r\n")
	a.ExpectString("+PONG\r\n")
	gone.Conn.Close()
	gone.WaitStopped() // after the key space answered its parked request as abandoned

	b.SendString("test.push q x\r\n")
	b.ExpectString(":1\r\n")
	a.ExpectString("*2\r\n$1\r\nq\r\n$1\r\nx\r\n$5\r\nafter\r\n")

	a.SendString("test.bpop q 0.05\r\nECHO late\r\n")
	a.ExpectString("*-1\r\n$4\r\nlate\r\n")

	b.SendString("test.bpop q nope\r\ntest.bpop q -1\r\n")
	b.ExpectString("-ERR timeout is not a float or out of range\r\n-ERR timeout is negative\r\n")
}
