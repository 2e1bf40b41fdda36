package actors_test

import (
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// testCLIListen ensures -listen serves several behaviors from one process: a
// ready line per listener naming its behavior, http on one and echo on the
// other, one shutdown for both (exit 0, one report).
func testCLIListen(t *testing.T, bin string) {
	p := cliStart(t, bin, "-listen", "http=127.0.0.1:0", "-listen", "ECHO=127.0.0.1:0")
	ready := regexp.MustCompile(`(\w+) listening on (\S+)`)
	var lines [][]string
	waitFor(t, "two ready lines", func() bool {
		lines = ready.FindAllStringSubmatch(p.stdout.String(), -1)
		return len(lines) == 2 || p.exited()
	})
	if len(lines) != 2 || lines[0][1] != "http" || lines[1][1] != "echo" {
		t.Fatalf("ready lines %q; want http then echo; stderr:\n%s", lines, p.stderr.String())
	}
	resp, err := http.Get("http://" + lines[0][2] + "/")
	if err != nil {
		t.Fatalf("GET on the http listener: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET on the http listener: %d; want 200", resp.StatusCode)
	}
	cliExpectEcho(t, lines[1][2], "ping\n")
	p.signal(t, syscall.SIGINT)
	if code := p.wait(t, waitTimeout); code != 0 {
		t.Errorf("exit code %d; want 0; stderr:\n%s", code, p.stderr.String())
	}
	if n := strings.Count(p.log(t), `msg="shutdown report"`); n != 1 {
		t.Errorf("%d shutdown reports; want 1", n)
	}
}

// testCLIListenInUse ensures a -listen whose port is taken exits 1 naming it and
// leaves nothing listening, not even the listeners opened before it.
func testCLIListenInUse(t *testing.T, bin string) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	freeAddr := free.Addr().String()
	free.Close() // a port that was free a moment ago: the server's first listener
	p := cliStart(t, bin, "-listen", "echo="+freeAddr, "-listen", "http="+taken.Addr().String())
	if code := p.wait(t, waitTimeout); code != 1 {
		t.Errorf("exit code %d; want 1; stderr:\n%s", code, p.stderr.String())
	}
	if want := "cannot listen on " + taken.Addr().String() + " (http)"; !strings.Contains(p.stderr.String(), want) {
		t.Errorf("stderr = %q; want it to contain %q", p.stderr.String(), want)
	}
	if c, err := net.Dial("tcp", freeAddr); err == nil {
		c.Close()
		t.Errorf("the first listener, %s, still accepts after the failed start", freeAddr)
	}
}
