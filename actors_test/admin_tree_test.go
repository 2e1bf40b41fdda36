package actors_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"async_server/observatory"
)

// TestAdminTreeChurn ensures /tree stays true while connections come and go:
// a poller reads it all along while clients open and close connections.
// Every connection in every snapshot is one a client opened (by its remote
// address, the client's local one), with a unique id that always names the
// same remote, the echo behavior, and no more bytes out than in; once the
// churn stops the tree holds exactly the live connections, each with the
// bytes its client sent.
func TestAdminTreeChurn(t *testing.T) {
	s, a := startObserved(t, nil)
	opened := map[string]bool{} // remote addresses of every connection a client opened
	stop := make(chan struct{})
	snapshots := make(chan []*observatory.Node, 1024)
	var pollErr error
	var polls atomic.Int64 // snapshots taken so far
	var failed atomic.Bool // the poller stopped on an error (pollErr, read after it ends)
	go func() {            // the poller; ends when stop is closed or a fetch fails
		defer close(snapshots)
		for {
			var root observatory.Node
			if pollErr = getJSON(a.URL+"/tree", &root); pollErr != nil {
				failed.Store(true)
				return
			}
			select {
			case <-stop:
				return
			case snapshots <- connections(&root):
			default: // the buffer is full: check the ones in it, poll on
			}
			polls.Add(1)
		}
	}()
	stopPolling := sync.OnceFunc(func() { close(stop) })
	t.Cleanup(func() { // the poller ends even if the test fails before stopping it
		stopPolling()
		for range snapshots { // until the poller has returned
		}
	})

	live := map[string]*lineClient{} // by remote address
	sent := map[string]int{}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 60 {
		if i%10 == 0 { // the churn waits for the poller now and then, however busy the machine
			n := polls.Load()
			waitFor(t, "a /tree snapshot during the churn", func() bool { return polls.Load() > n || failed.Load() })
		}
		if len(live) > 0 && rng.IntN(3) == 0 {
			remote := slices.Sorted(maps.Keys(live))[rng.IntN(len(live))]
			live[remote].Close()
			delete(live, remote)
			continue
		}
		c := s.dialLines(t)
		remote := c.LocalAddr().String()
		opened[remote] = true
		line := fmt.Sprintf("churn %d", i)
		c.roundTrip(t, line, line)
		live[remote], sent[remote] = c, len(line)+1
	}
	stopPolling()

	names := map[string]string{} // id -> remote, across snapshots
	count := 0
	for snap := range snapshots {
		count++
		checkSnapshot(t, snap, opened, names)
	}
	if pollErr != nil { // read after snapshots is closed, which the poller does last
		t.Fatalf("polling /tree: %v", pollErr)
	}
	t.Logf("%d snapshots during the churn", count)
	if count < 2 {
		t.Errorf("the poller read %d snapshots during the churn; want several", count)
	}

	var final []*observatory.Node
	waitFor(t, "the tree to hold exactly the live connections", func() bool {
		final = connections(a.tree(t))
		remotes := map[string]bool{}
		for _, n := range final {
			remotes[n.Remote] = true
		}
		return maps.Equal(remotes, boolSet(maps.Keys(live)))
	})
	checkSnapshot(t, final, opened, names)
	for _, n := range final {
		if want := uint64(sent[n.Remote]); n.BytesIn != want || n.BytesOut != want {
			t.Errorf("%s (%s): bytes in %d, out %d; want %d each", n.Name, n.Remote, n.BytesIn, n.BytesOut, want)
		}
	}
}

// checkSnapshot checks the connections of one /tree snapshot against the
// remotes clients opened, and the ids seen so far (names: id -> remote).
func checkSnapshot(t *testing.T, conns []*observatory.Node, opened map[string]bool, names map[string]string) {
	t.Helper()
	ids := map[string]bool{}
	for _, n := range conns {
		switch {
		case !opened[n.Remote]:
			t.Errorf("/tree has %s with remote %q, which no client opened", n.Name, n.Remote)
		case n.Name == "" || ids[n.Name]:
			t.Errorf("/tree has a connection named %q twice or without a name", n.Name)
		case names[n.Name] != "" && names[n.Name] != n.Remote:
			t.Errorf("/tree has %s for remote %s, and before for %s", n.Name, n.Remote, names[n.Name])
		case n.Kind != observatory.KindConnection || n.Behavior != "echo":
			t.Errorf("/tree has %s as kind %q behavior %q; want connection, echo", n.Name, n.Kind, n.Behavior)
		case n.BytesOut > n.BytesIn:
			t.Errorf("%s echoed %d bytes of %d received", n.Name, n.BytesOut, n.BytesIn)
		}
		ids[n.Name], names[n.Name] = true, n.Remote
	}
}

func boolSet(keys func(func(string) bool)) map[string]bool {
	set := map[string]bool{}
	for k := range keys {
		set[k] = true
	}
	return set
}

// TestAdminTreeShape ensures /tree draws the real tree (actors/doc.go): under
// root the logger, the services, and per listener its acceptor, with no
// children, and beside it its connection supervisor, conns-HOST:PORT, whose
// children are the connections; each with its listener, restarts and budget.
func TestAdminTreeShape(t *testing.T) {
	s, a := startObserved(t, nil)
	s.dialLines(t).roundTrip(t, "x", "x")
	s.dialLines(t).roundTrip(t, "y", "y")
	var root observatory.Node
	if err := getJSON(a.URL+"/tree", &root); err != nil {
		t.Fatal(err)
	}
	addr := s.Addr
	var shape []string
	for _, n := range root.Children {
		shape = append(shape, fmt.Sprintf("%s(%s) %d children", n.Name, n.Kind, len(n.Children)))
	}
	want := []string{"logger(logger) 0 children", "services(services) 0 children",
		"acceptor-" + addr + "(acceptor) 0 children", "conns-" + addr + "(connections) 2 children"}
	if !slices.Equal(shape, want) {
		t.Fatalf("root's children:\n%s\nwant:\n%s", strings.Join(shape, "\n"), strings.Join(want, "\n"))
	}
	for _, n := range root.Children[2:] {
		if n.Listener != addr || n.Behavior != "echo" || n.Budget != 3 || n.Restarts != 0 {
			t.Errorf("%s: listener %q behavior %q restarts %d budget %d; want %s, echo, 0 of 3",
				n.Name, n.Listener, n.Behavior, n.Restarts, n.Budget, addr)
		}
	}
	sup := root.Children[3]
	if sup.Connections != 2 || sup.Children[0].Name != "conn-1" || sup.Children[0].Kind != observatory.KindConnection {
		t.Errorf("%s: connections %d, children %+v", sup.Name, sup.Connections, sup.Children)
	}
}

// TestAdminTreeLimit ensures /tree?limit=N lists the N oldest connections of
// the connection supervisor and counts them all, and refuses a limit that is
// not one.
func TestAdminTreeLimit(t *testing.T) {
	s, a := startObserved(t, nil)
	for range 5 {
		s.dialLines(t).roundTrip(t, "x", "x")
	}
	var root observatory.Node
	if err := getJSON(a.URL+"/tree?limit=3", &root); err != nil {
		t.Fatal(err)
	}
	sup := root.Children[len(root.Children)-1]
	if sup.Kind != observatory.KindConns || sup.Connections != 5 || len(sup.Children) != 3 || sup.Children[0].Name != "conn-1" {
		t.Errorf("limit=3: %s (%s): connections %d, children %d (first %+v)", sup.Name, sup.Kind, sup.Connections, len(sup.Children), sup.Children)
	}
	for _, bad := range []string{"-1", "x", "1e3"} {
		if code, body := a.get(t, "/tree?limit="+bad); code != 400 {
			t.Errorf("limit=%s: %d %s; want 400", bad, code, body)
		}
	}
}
