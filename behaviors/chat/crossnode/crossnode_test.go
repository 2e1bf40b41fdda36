package crossnode_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

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
		// back and told, and talk on. A restart goes on with the same
		// activation: the room lives once, and its node logs the restart.
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
		if got := clustertest.LivesOf(clustertest.GrainLives(t, nodes), chat.GrainKind+"/"+room); len(got) != 1 {
			t.Errorf("room %s lived %+v after its restart; want once", room, got)
		}
		if !strings.Contains(host.Log(t), "msg=\"grain restarted\"") {
			t.Errorf("node %s's log does not say the grain restarted", host.Addr)
		}
	})

	t.Run("NodeStalls", func(t *testing.T) {
		// SIGSTOP of the node that hosts a room for 5 s, then SIGCONT, with
		// a static member list: nothing moves. The members on the other
		// nodes stay in the room (no "moved" line), lines said during the
		// stall wait and then come, every line reaches every other member
		// exactly once and in order per sender, and the room lived on its
		// node alone the whole time (the nodes' grain lives).
		host := nodes[2]
		room := roomOn(t, nodes, host, "stall")
		dan, _ := join(t, nodes[0], "dan", room)
		eve, _ := join(t, nodes[1], "eve", room)
		fay, _ := join(t, host, "fay", room)
		dan.expect("* eve joined "+room, "* fay joined "+room)
		eve.expect("* fay joined " + room)
		talkers := map[string]*client{"dan": dan, "eve": eve, "fay": fay}
		say := func(from, to int) {
			for nick, c := range talkers {
				var out []string
				for i := from; i < to; i++ {
					out = append(out, nick+" "+strconv.Itoa(i))
				}
				c.send(out...)
			}
		}
		const during, lines = 3, 13 // within flood control's burst: no line is held back

		host.Pause(t)
		say(0, during)    // to a room that cannot answer: they wait
		time.Sleep(stall) // the scenario: a stall this long
		host.Resume(t)
		resumed := time.Now()
		next := map[string]int{}
		first := eve.read()
		t.Logf("lines flow again %v after SIGCONT: eve read %q (said during the %v stall)",
			time.Since(resumed).Round(time.Microsecond), first, stall)
		takeLine(t, "eve", first, room, next)
		say(during, lines)
		for range 2*lines - 1 {
			takeLine(t, "eve", eve.read(), room, next)
		}
		wantAll(t, "eve", next, lines, 2)
		checkOnceInOrder(t, "dan", dan, room, lines, 2)
		checkOnceInOrder(t, "fay", fay, room, lines, 2)
		dan.send("/who")
		dan.expect("* in " + room + ": dan, eve, fay")

		lives := clustertest.GrainLives(t, nodes)
		if got := clustertest.LivesOf(lives, chat.GrainKind+"/"+room); len(got) != 1 || got[0].Node != host.Addr {
			t.Errorf("room %s lived %+v; want once, on %s", room, got, host.Addr)
		}
		for _, o := range clustertest.Overlaps(lives) {
			t.Errorf("two lives of one grain at once: %s", o)
		}
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

// stall is how long NodeStalls stops a node: the scenario. With a
// static member list no timer of the cluster's runs between the request
// timeout (1 s) and an empty room's linger (10 s), so 5 s shows what 2 s
// would, and more.
const stall = 5 * time.Second

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
		takeLine(t, nick, c.read(), room, next)
	}
	wantAll(t, nick, next, lines, senders)
}

// takeLine checks that got, read by nick, is the next line of its sender
// ("SENDER N", N counting from 0 per sender), and counts it in next.
func takeLine(t *testing.T, nick, got, room string, next map[string]int) {
	t.Helper()
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

// wantAll fails unless next counts lines of each of senders senders.
func wantAll(t *testing.T, nick string, next map[string]int, lines, senders int) {
	t.Helper()
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
