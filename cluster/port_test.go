package cluster_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/remote"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"async_server/cluster"
	"async_server/cluster/clustertest"
)

// TestNodePortAbuse sends a node, on its -node-addr, what no peer sends but
// any client of the port may: remote's unary methods, which panic
// "implement me" (gRPC recovers no panic: the node died), and a flood of
// messages remote only logs about, one line each (100 000 empty messages of
// 5 bytes wrote 10 MB of log), and an unknown message on each of many
// streams. The node refuses the calls, drops the messages, counted, logs at
// most budgetLines (10) lines for them all, and stays up.
func TestNodePortAbuse(t *testing.T) {
	bin := clustertest.Build(t)
	n := clustertest.Start(t, clustertest.Options{Binary: bin, Nodes: 1})[0]
	conn, err := grpc.Dial(n.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client := remote.NewRemotingClient(conn)
	if _, err := client.ListProcesses(ctx, &remote.ListProcessesRequest{}); status.Code(err) != codes.Unimplemented {
		t.Errorf("ListProcesses: %v; want Unimplemented", err)
	}
	if _, err := client.GetProcessDiagnostics(ctx, &remote.GetProcessDiagnosticsRequest{}); status.Code(err) != codes.Unimplemented {
		t.Errorf("GetProcessDiagnostics: %v; want Unimplemented", err)
	}

	const each = 1000
	var msgs []*remote.RemoteMessage
	for range each {
		msgs = append(msgs, &remote.RemoteMessage{},
			&remote.RemoteMessage{MessageType: &remote.RemoteMessage_ConnectRequest{ConnectRequest: &remote.ConnectRequest{
				ConnectionType: &remote.ConnectRequest_ClientConnection{ClientConnection: &remote.ClientConnection{SystemId: "rogue"}}}}},
			&remote.RemoteMessage{MessageType: &remote.RemoteMessage_DisconnectRequest{DisconnectRequest: &remote.DisconnectRequest{}}})
	}
	if err := clustertest.SendMessages(n.Addr, msgs...); err != nil {
		t.Fatalf("sending the messages: %v", err)
	}
	// And an unknown message on each of many streams: the bound on the
	// lines was one of 10 for each stream, which a client opens at will.
	const streams = 30
	for range streams {
		if err := clustertest.SendRaw(n.Addr, clustertest.UnknownBatch(n.Addr, "root", "rogue.Unknown")); err != nil {
			t.Fatalf("sending a rogue batch: %v", err)
		}
	}
	clustertest.WaitFor(t, "the drops to be counted", 10*time.Second, func() bool {
		v, err := n.Metric("async_server_cluster_dropped_messages_total")
		return err == nil && v == 3*each+streams
	})
	if n.Exited() {
		t.Fatalf("node exited with status %d; stderr:\n%s", n.ExitCode(), n.Stderr())
	}
	log := n.Log(t)
	drops, reader := 0, 0
	for _, line := range strings.Split(log, "\n") {
		switch {
		case strings.Contains(line, "dropped messages a peer sent"):
			drops++
		case strings.Contains(line, "EndpointReader"):
			reader++
		}
	}
	if drops > 10 || reader > 0 || !strings.Contains(log, "an empty message") {
		t.Errorf("after %d messages the log (%d bytes) has %d drop lines and %d of remote's reader; want at most 10 and none, and why:\n%.2000s",
			len(msgs), len(log), drops, reader, log)
	}
}

// TestNodePortConnections ensures the connections to -node-addr are bounded:
// a client that begins HTTP/2 (its preface and SETTINGS) and goes silent
// held its connection for good (2000 of them: 6000 goroutines, 60 MB, 2000
// descriptors). Past cluster.MaxNodeConns open a new one is closed at once,
// counted; once one closes another is served; and the node tells each
// connection it takes at most cluster.MaxNodeStreams streams.
func TestNodePortConnections(t *testing.T) {
	bin := clustertest.Build(t)
	n := clustertest.Start(t, clustertest.Options{Binary: bin, Nodes: 1})[0]
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for range cluster.MaxNodeConns {
		c, settings := beginHTTP2(t, n.Addr)
		if settings == nil {
			t.Fatalf("connection %d was closed; want it served", len(held)+1)
		}
		held = append(held, c)
		openStream(t, c, n.Addr) // else the node closes it once idle
	}
	clustertest.WaitFor(t, "the connections to be counted", 10*time.Second, func() bool {
		v, err := n.Metric("async_server_cluster_node_connections")
		return err == nil && v == cluster.MaxNodeConns
	})
	extra, settings := beginHTTP2(t, n.Addr)
	extra.Close()
	if settings != nil {
		t.Fatalf("connection %d was served; want it closed", cluster.MaxNodeConns+1)
	}
	if v, err := n.Metric("async_server_cluster_refused_connections_total"); err != nil || v != 1 {
		t.Errorf("refused connections: %v (%v); want 1", v, err)
	}
	held[0].Close()
	held = held[1:]
	clustertest.WaitFor(t, "a closed connection to be counted", 10*time.Second, func() bool {
		v, err := n.Metric("async_server_cluster_node_connections")
		return err == nil && v == cluster.MaxNodeConns-1
	})
	c, settings := beginHTTP2(t, n.Addr)
	held = append(held, c)
	if settings == nil {
		t.Fatal("a connection once one had closed was closed; want it served")
	}
	if v, ok := settings[http2.SettingMaxConcurrentStreams]; !ok || v != cluster.MaxNodeStreams {
		t.Errorf("the node's SETTINGS: %v; want MAX_CONCURRENT_STREAMS %d", settings, cluster.MaxNodeStreams)
	}
	if log := n.Log(t); strings.Count(log, "refused a connection to -node-addr") != 1 {
		t.Errorf("want the refusal logged once:\n%s", log)
	}
}

// openStream opens a stream of remote's Receive on c, as a peer does, and
// leaves it open.
func openStream(t *testing.T, c net.Conn, addr string) {
	t.Helper()
	var block bytes.Buffer
	enc := hpack.NewEncoder(&block)
	for _, f := range [][2]string{{":method", "POST"}, {":scheme", "http"}, {":path", "/remote.Remoting/Receive"},
		{":authority", addr}, {"content-type", "application/grpc"}, {"te", "trailers"}} {
		if err := enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]}); err != nil {
			t.Fatal(err)
		}
	}
	fr := http2.NewFramer(c, c)
	if err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block.Bytes(), EndHeaders: true}); err != nil {
		t.Fatal(err)
	}
}

// beginHTTP2 connects to addr, sends HTTP/2's client preface and an empty
// SETTINGS frame, as a gRPC client does first, and reads the server's first
// frame: its settings, or nil if the connection was closed instead.
func beginHTTP2(t *testing.T, addr string) (net.Conn, map[http2.SettingID]uint32) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte(http2.ClientPreface)); err != nil {
		return c, nil
	}
	fr := http2.NewFramer(c, c)
	if err := fr.WriteSettings(); err != nil {
		return c, nil
	}
	f, err := fr.ReadFrame()
	if err != nil {
		return c, nil
	}
	sf, ok := f.(*http2.SettingsFrame)
	if !ok {
		t.Fatalf("the node's first frame is %v; want SETTINGS", f)
	}
	settings := map[http2.SettingID]uint32{}
	_ = sf.ForeachSetting(func(s http2.Setting) error { settings[s.ID] = s.Val; return nil })
	return c, settings
}

// TestNodePortIdleConnection ensures a connection to -node-addr that opens
// no stream is closed (a peer's carries its stream for its whole life): it
// held one of the MaxNodeConns for good, and remote's endpoint writers leave
// such connections behind (closeFailedDials in dials.go).
func TestNodePortIdleConnection(t *testing.T) {
	bin := clustertest.Build(t)
	n := clustertest.Start(t, clustertest.Options{Binary: bin, Nodes: 1})[0]
	c, settings := beginHTTP2(t, n.Addr)
	defer c.Close()
	if settings == nil {
		t.Fatal("the connection was closed at once; want it served")
	}
	// Wait for the close: the read ends with EOF, after a GOAWAY and a PING
	// that a client acknowledges (else the node waits a minute more for
	// it). The deadline only bounds a failing run.
	c.SetReadDeadline(time.Now().Add(2 * time.Minute))
	fr := http2.NewFramer(c, c)
	for {
		f, err := fr.ReadFrame()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading the idle connection: %v; want it closed by the node", err)
		}
		if p, ok := f.(*http2.PingFrame); ok && !p.IsAck() {
			_ = fr.WritePing(true, p.Data)
		}
	}
	clustertest.WaitFor(t, "the connection to be gone", 10*time.Second, func() bool {
		v, err := n.Metric("async_server_cluster_node_connections")
		return err == nil && v == 0
	})
}
