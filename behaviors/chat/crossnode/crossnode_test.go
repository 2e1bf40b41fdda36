package crossnode_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"async_server/behaviors/chat"
	"async_server/cluster/clustertest"
)

// TestChatAcrossNodes runs the chat behavior on three nodes with a static
// member list (real processes of the built binary) and nc-style clients on
// different nodes, through the promises of chat in a cluster.
func TestChatAcrossNodes(t *testing.T) {
	bin := clustertest.Build(t)
	nodes := clustertest.Start(t, clustertest.Options{Binary: bin, Behavior: "chat"})
	clustertest.WaitFormed(t, nodes)
	t.Cleanup(func() {
		if t.Failed() { // the nodes' logs say what a client could not
			for _, n := range nodes {
				t.Logf("node %s log:\n%s\nstderr:\n%s", n.Addr, n.Log(t), n.Stderr())
			}
		}
	})

	t.Run("RoomAcrossNodes", func(t *testing.T) {
		// Members on three nodes share a room hosted on one of them: each
		// gets every line of the others exactly once and in order per
		// sender, though all three talk at once (24 lines each, in one
		// write: past the flood control's burst, so the room answers the
		// last batches late, across nodes); /who, /rooms and a taken
		// nick mean the same on every node.
		room := roomOn(t, nodes, nodes[1], "lobby")
		alice, joined := join(t, nodes[0], "alice", room)
		wantJoined(t, joined, room, 1)
		bob, joined := join(t, nodes[1], "bob", room)
		wantJoined(t, joined, room, 2)
		carol, joined := join(t, nodes[2], "carol", room)
		wantJoined(t, joined, room, 3)
		alice.expect("* bob joined "+room, "* carol joined "+room)
		bob.expect("* carol joined " + room)
		if hosts := hostsOf(t, nodes, room); len(hosts) != 1 || hosts[0] != nodes[1].Addr {
			t.Errorf("room %s hosted on %v (by their /tree); want on %s alone", room, hosts, nodes[1].Addr)
		}

		const lines = 24
		talkers := map[string]*client{"alice": alice, "bob": bob, "carol": carol}
		for nick, c := range talkers {
			out := make([]string, lines)
			for i := range out {
				out[i] = nick + " " + strconv.Itoa(i)
			}
			c.send(out...)
		}
		for nick, c := range talkers {
			checkOnceInOrder(t, nick, c, room, lines, len(talkers)-1)
		}

		carol.send("/who", "/rooms")
		carol.expect("* in "+room+": alice, bob, carol", "* rooms: "+room+" (3)")
		dave := dial(t, nodes[2])
		dave.send("/nick alice", "/nick bob", "/nick dave")
		dave.expect("error: nick alice is taken", "error: nick bob is taken", "* you are now dave")
		alice.send("/nick alicia")
		alice.expect("* you are now alicia")
		dave.send("/nick alice")
		dave.expect("* you are now alice")
	})

	t.Run("GrainFault", func(t *testing.T) {
		// A fault injected into a room's grain through its node's admin
		// endpoint (POST /faults, target chatroom/ROOM, as /tree lists the
		// grain): the grain is restarted, its members on every node are put
		// back and told, and talk on.
		host := nodes[2]
		room := roomOn(t, nodes, host, "fault")
		amy, _ := join(t, nodes[0], "amy", room)
		ben, _ := join(t, nodes[1], "ben", room)
		amy.expect("* ben joined " + room)
		body := `{"target": "` + chat.GrainKind + "/" + room + `", "category": "Internal"}`
		resp, err := http.Post("http://"+host.Admin+"/faults", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatalf("POST /faults: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("POST /faults %s: status %d; want 202", body, resp.StatusCode)
		}
		amy.expect("* room " + room + " restarted (lines in flight may be lost)")
		ben.expect("* room " + room + " restarted (lines in flight may be lost)")
		ben.send("after")
		amy.expect("[" + room + "] ben: after")
	})

	t.Run("NodeDies", func(t *testing.T) {
		// SIGKILL of the node that hosts a room: its members on the other
		// nodes are told the room moved, lines said meanwhile are refused,
		// and once a node hosts the room again (with a static list, the
		// same node back) they are in it again without a word from them.
		host := nodes[0]
		room := roomOn(t, nodes, host, "dies")
		_, _ = join(t, host, "xavier", room)
		bob, _ := join(t, nodes[1], "bob2", room)
		carol, _ := join(t, nodes[2], "carol2", room)
		bob.expect("* carol2 joined " + room)

		host.Signal(t, syscall.SIGKILL)
		host.Wait(t, waitLine)
		moved := "* room " + room + " moved: its node " + host.Addr + " is gone; rejoining (lines in flight may be lost)"
		bob.expect(moved)
		carol.expect(moved)
		bob.send("anyone?")
		bob.expect("error: room " + room + " is moving; try again in a moment")

		host.Restart(t)
		bob.expect("* back in " + room)
		carol.expect("* back in " + room)
		if hosts := hostsOf(t, nodes, room); len(hosts) != 1 || hosts[0] != host.Addr {
			t.Errorf("room %s hosted on %v (by their /tree); want on %s alone", room, hosts, host.Addr)
		}
		bob.send("after")
		carol.expect("[" + room + "] bob2: after")
		carol.send("/who")
		carol.expect("* in " + room + ": bob2, carol2")
	})
}

func wantJoined(t *testing.T, got, room string, members int) {
	t.Helper()
	want := fmt.Sprintf("* you joined %s (%d members)", room, members)
	if members == 1 {
		want = fmt.Sprintf("* you joined %s (1 member)", room)
	}
	if got != want {
		t.Fatalf("read %q; want %q", got, want)
	}
}

// checkOnceInOrder reads the lines of senders other talkers (lines each)
// and fails unless each sender's came exactly once, in the order sent.
func checkOnceInOrder(t *testing.T, nick string, c *client, room string, lines, senders int) {
	t.Helper()
	next := map[string]int{}
	for range lines * senders {
		got := c.read()
		rest, ok := strings.CutPrefix(got, "["+room+"] ")
		from, text, ok2 := strings.Cut(rest, ": ")
		if !ok || !ok2 || from == nick {
			t.Fatalf("%s read %q; want another member's line", nick, got)
		}
		if want := from + " " + strconv.Itoa(next[from]); text != want {
			t.Fatalf("%s read %q from %s; want %q (every line once, in order)", nick, text, from, want)
		}
		next[from]++
	}
	for from, n := range next {
		if n != lines {
			t.Errorf("%s read %d lines of %s; want %d", nick, n, from, lines)
		}
	}
	if len(next) != senders {
		t.Errorf("%s read lines of %d senders; want %d", nick, len(next), senders)
	}
}

// hostsOf returns the nodes whose /tree lists the grain of room.
func hostsOf(t *testing.T, nodes []*clustertest.Node, room string) []string {
	t.Helper()
	var hosts []string
	for _, n := range nodes {
		body, err := n.Get("/tree")
		if err != nil {
			t.Fatalf("node %s: GET /tree: %v", n.Addr, err)
		}
		var tree struct {
			Cluster struct {
				Grains []struct{ Kind, Identity string } `json:"grains"`
			} `json:"cluster"`
		}
		if err := json.Unmarshal([]byte(body), &tree); err != nil {
			t.Fatalf("node %s: /tree: %v", n.Addr, err)
		}
		for _, g := range tree.Cluster.Grains {
			if g.Kind == chat.GrainKind && g.Identity == room {
				hosts = append(hosts, n.Addr)
			}
		}
	}
	return hosts
}
