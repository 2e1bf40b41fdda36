package cluster_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/remote"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"async_server/cluster/clustertest"
)

// TestNodePortAbuse sends a node, on its -node-addr, what no peer sends but
// any client of the port may: remote's unary methods, which panic
// "implement me" (gRPC recovers no panic: the node died), and a flood of
// messages remote only logs about, one line each (100 000 empty messages of
// 5 bytes wrote 10 MB of log). The node refuses the calls, drops the
// messages, counted, logs at most maxDropLines lines for the stream, and
// stays up.
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
	clustertest.WaitFor(t, "the drops to be counted", 10*time.Second, func() bool {
		v, err := n.Metric("async_server_cluster_dropped_messages_total")
		return err == nil && v == 3*each
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
