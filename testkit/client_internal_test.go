package testkit

import (
	"net"
	"testing"

	"async_server/observatory"
)

// TestClientIDAfterPortReuse ensures a client is named by the server's
// "accepted" for its own connection, not by an earlier one's from the same
// address: the kernel reuses client ports, and the recording keeps every
// event of the server's life.
func TestClientIDAfterPortReuse(t *testing.T) {
	srv := Start(t, "echo")
	free, err := net.Listen("tcp", "127.0.0.1:0") // a port for the client, free once closed
	if err != nil {
		t.Fatal(err)
	}
	local := free.Addr().(*net.TCPAddr)
	free.Close()
	// An earlier connection from that address, come and gone.
	srv.Hub().Opened(observatory.Conn{ID: "conn-earlier", Listener: srv.Addr, Behavior: "echo",
		Remote: local.String(), Stats: &observatory.Stats{}})
	srv.Hub().Closed("conn-earlier", "peer closed")

	c := srv.dial(t, net.Dialer{LocalAddr: local})
	if got := c.Conn.LocalAddr().String(); got != local.String() {
		t.Fatalf("dialed from %s; want %s", got, local)
	}
	c.SendLine("hi")
	c.ExpectLine("hi")
	if id := c.ID(); id == "conn-earlier" {
		t.Fatalf("client named %s, the earlier connection from its address", id)
	}
	c.Inject("BadRequest") // reaches the client's own connection: Inject checks the name it hit
}
