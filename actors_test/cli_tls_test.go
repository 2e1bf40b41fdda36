package actors_test

// Command-line tests of TLS on the real binary: which listeners serve it, and
// TLS flags that would serve nothing.

import (
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// testCLITLSUnused ensures -tls-cert and -tls-key with -listen entries none of
// which ends in ,tls (the certificate would serve nothing, and every listener
// plain text) exit 2 naming the problem, with valid certificate files; and
// that nothing starts.
func testCLITLSUnused(t *testing.T, bin string) {
	cert, key, _ := testCert(t)
	p := cliStart(t, bin, "-tls-cert", cert, "-tls-key", key, "-listen", "http=127.0.0.1:0", "-listen", "echo=127.0.0.1:0")
	if code := p.wait(t, waitTimeout); code != 2 {
		t.Errorf("exit code %d; want 2; stdout:\n%s", code, p.stdout.String())
	}
	want := "async_server: -tls-cert, -tls-key: given, but no -listen entry ends in ,tls: nothing would serve TLS\n" +
		"Run 'async_server -h' for usage.\n"
	if got := p.stderr.String(); got != want {
		t.Errorf("stderr = %q; want %q", got, want)
	}
	if out := p.stdout.String(); out != "" {
		t.Errorf("stdout = %q; want nothing", out)
	}
	if _, err := os.Stat(p.logPath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("log file exists (stat: %v); want nothing started", err)
	}
}

// testCLITLS ensures TLS is served where it is asked for: on the one listener
// with -tls-cert and -tls-key and no -listen, and with -listen on the entry
// marked ,TLS (the suffix in any case, as names are), the other one plain.
func testCLITLS(t *testing.T, bin string) {
	cert, key, pool := testCert(t)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: waitTimeout}
	get := func(url string) {
		t.Helper()
		resp, err := client.Get(url)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d; want 200", url, resp.StatusCode)
		}
	}

	one := cliStart(t, bin, "-tls-cert", cert, "-tls-key", key, "0")
	get("https://" + one.waitReady(t) + "/")
	one.signal(t, syscall.SIGTERM)
	if code := one.wait(t, waitTimeout); code != 0 {
		t.Errorf("the one listener: exit code %d; want 0; stderr:\n%s", code, one.stderr.String())
	}

	two := cliStart(t, bin, "-tls-cert", cert, "-tls-key", key, "-listen", "http=127.0.0.1:0,TLS", "-listen", "echo=127.0.0.1:0")
	ready := regexp.MustCompile(`(\w+) listening on (\S+)( with TLS)?`)
	var lines [][]string
	waitFor(t, "two ready lines", func() bool {
		lines = ready.FindAllStringSubmatch(two.stdout.String(), -1)
		return len(lines) == 2 || two.exited()
	})
	if len(lines) != 2 {
		t.Fatalf("ready lines %q; want two; stderr:\n%s", lines, two.stderr.String())
	}
	if lines[0][3] != " with TLS" || lines[1][3] != "" { // the ready line says which listener is TLS
		t.Errorf("ready lines %q; want the ,tls listener's alone to say with TLS", lines)
	}
	get("https://" + lines[0][2] + "/")
	cliExpectEcho(t, lines[1][2], "plain\n")
	two.signal(t, syscall.SIGTERM)
	if code := two.wait(t, waitTimeout); code != 0 {
		t.Errorf("-listen: exit code %d; want 0; stderr:\n%s", code, two.stderr.String())
	}
	if strings.Contains(two.log(t), "tls handshake") {
		t.Errorf("a handshake failed:\n%s", two.log(t))
	}
}
