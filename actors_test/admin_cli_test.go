package actors_test

// Command-line tests of -admin and -chaos on the real binary. TestCLI
// (cli_test.go) runs them.

import (
	"errors"
	"net"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"async_server/observatory"
)

// testCLIAdmin ensures -admin 127.0.0.1:0 prints the admin ready line after
// the listener's, serves /tree with the echo connection a client holds (the
// admin's own clients are no connections of the server), and that SIGTERM
// ends an open /events stream (after the shutdown's events) and the process
// with 0.
func testCLIAdmin(t *testing.T, bin string) {
	p := cliStart(t, bin, "-behavior", "echo", "-admin", "127.0.0.1:0", "-max-conns", "1", "0")
	addr := p.waitReady(t)
	adminAddr := cliAdminAddr(t, p)
	if lines := strings.Split(strings.TrimSpace(p.stdout.String()), "\n"); len(lines) != 2 ||
		!strings.Contains(lines[0], "echo listening on "+addr) {
		t.Errorf("stdout = %q; want the echo ready line, then the admin's", p.stdout.String())
	}
	a := &adminClient{URL: "http://" + adminAddr}
	stream := a.openEvents(t, "?kinds=accepted,stopped", "")
	c := cliDial(t, addr) // the one slot of -max-conns 1: the admin's clients take none
	if _, err := c.Write([]byte("hi\n")); err != nil {
		t.Fatal(err)
	}
	cliReadN(t, c, 3)
	conns := connections(a.tree(t))
	if len(conns) != 1 || conns[0].Remote != c.LocalAddr().String() {
		t.Errorf("/tree connections = %+v; want the one client %s", conns, c.LocalAddr())
	}
	if e := stream.next(t).decode(t); e.Kind != observatory.Accepted {
		t.Errorf("first event = %+v; want accepted", e)
	}

	p.signal(t, syscall.SIGTERM)
	if e := stream.next(t).decode(t); e.Kind != observatory.Stopped || e.Reason != "shutdown" {
		t.Errorf("event after SIGTERM = %+v; want stopped, reason shutdown", e)
	}
	stream.expectEnd(t)
	if code := p.wait(t, waitTimeout); code != 0 {
		t.Errorf("exit code %d; want 0; stderr:\n%s", code, p.stderr.String())
	}
	if !strings.Contains(p.log(t), `msg="admin listening"`) {
		t.Errorf("log lacks the admin's \"admin listening\" entry:\n%s", p.log(t))
	}
}

// cliAdminAddr waits for the admin ready line and returns its address.
func cliAdminAddr(t *testing.T, p *cliProcess) string {
	t.Helper()
	ready := regexp.MustCompile(`async_server: admin listening on (\S+)\n`)
	var addr string
	waitFor(t, "the admin ready line", func() bool {
		m := ready.FindStringSubmatch(p.stdout.String())
		if m != nil {
			addr = m[1]
		}
		return m != nil || p.exited()
	})
	if addr == "" {
		t.Fatalf("exited before the admin ready line; stderr:\n%s", p.stderr.String())
	}
	return addr
}

// testCLIAdminBadFlags ensures a bad -admin or -chaos exits 2 naming the
// value, with nothing started, and that -h lists both with what their
// defaults mean.
func testCLIAdminBadFlags(t *testing.T, bin string) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-admin", "nonsense"}, `"nonsense"`},
		{[]string{"-admin", "127.0.0.1:70000"}, `port "70000"`},
		{[]string{"-admin", "127.0.0.1:x"}, `port "x"`},
		{[]string{"-chaos", "-1"}, "chaos: -1"},
		{[]string{"-chaos", "NaN"}, "chaos: NaN"},
		{[]string{"-chaos", "fast"}, `invalid value "fast" for flag -chaos`},
	}
	for _, tt := range tests {
		p := cliStart(t, bin, append(tt.args, "0")...)
		if code := p.wait(t, waitTimeout); code != 2 || !strings.Contains(p.stderr.String(), tt.want) {
			t.Errorf("%q: exit code %d, stderr %q; want 2 and %q", tt.args, code, p.stderr.String(), tt.want)
		}
		if _, err := os.Stat(p.logPath); p.stdout.String() != "" || !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%q: stdout %q, log file stat %v; want nothing started", tt.args, p.stdout.String(), err)
		}
	}
	p := cliStart(t, bin, "-h")
	p.wait(t, waitTimeout)
	help := p.stdout.String()
	for _, want := range []string{"-admin HOST:PORT", "127.0.0.1", "(empty: off)", "-chaos RATE", "(0: off)"} {
		if !strings.Contains(help, want) {
			t.Errorf("-h lacks %q:\n%s", want, help)
		}
	}
}

// testCLIAdminInUse ensures an -admin address that is taken exits 1 with a
// message naming it and no ready line, after the server it had started has
// shut down (its log ends with the shutdown report).
func testCLIAdminInUse(t *testing.T, bin string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	p := cliStart(t, bin, "-behavior", "echo", "-admin", ln.Addr().String(), "0")
	if code := p.wait(t, waitTimeout); code != 1 {
		t.Errorf("exit code %d; want 1; stderr:\n%s", code, p.stderr.String())
	}
	if want := "admin: cannot listen on " + ln.Addr().String(); !strings.Contains(p.stderr.String(), want) {
		t.Errorf("stderr = %q; want it to contain %q", p.stderr.String(), want)
	}
	if out := p.stdout.String(); out != "" {
		t.Errorf("stdout = %q; want no ready line", out)
	}
	log := p.log(t)
	if !containsAll(log, `msg="cannot start the admin endpoint"`, `msg="shutdown report"`) {
		t.Errorf("log lacks the admin's error or the shutdown report:\n%s", log)
	}
}
