package actors_test

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"async_server/actors"
	"async_server/behaviors/protocol"
)

// The TLS listener: the handshake runs on the connection's reader (never on the
// acceptor), a failed one is one log line with its category, and behaviors work
// over it unchanged. Certificates are made by the test.

// testCert writes a self-signed certificate for 127.0.0.1 and its key as PEM
// files, and returns their paths and a pool that trusts the certificate.
func testCert(t testing.TB) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "async_server test"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	return certFile, keyFile, pool
}

// TestTLSHTTP ensures the http behavior serves HTTPS: Go's TLS client and curl
// (when installed) get the page.
func TestTLSHTTP(t *testing.T) {
	certFile, keyFile, pool := testCert(t)
	s := startHTTP(t, func(cfg *actors.Config) { cfg.TLSCert, cfg.TLSKey = certFile, keyFile })
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: waitTimeout}
	for range 2 { // the second request reuses the connection
		resp, err := client.Get("https://" + s.Addr + "/")
		if err != nil {
			t.Fatalf("GET over TLS: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<html") {
			t.Fatalf("GET over TLS: %d, %d bytes; want 200 and the page", resp.StatusCode, len(body))
		}
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Log("curl not installed: skipping its part")
		return
	}
	out, err := exec.Command("curl", "-sS", "--cacert", certFile, "-o", "/dev/null", "-w", "%{http_code}",
		"https://"+s.Addr+"/").CombinedOutput()
	if err != nil || string(out) != "200" {
		t.Errorf("curl over TLS: %q, %v; want 200", out, err)
	}
}

// TestTLSHandshakeOnTheConnection ensures a client that never finishes its
// handshake stalls nobody else: another TLS client is accepted and served
// meanwhile. A client that speaks plain text to the TLS port is one log line,
// BadRequest, and its connection ends.
func TestTLSHandshakeOnTheConnection(t *testing.T) {
	certFile, keyFile, pool := testCert(t)
	s := startEcho(t, func(cfg *actors.Config) { cfg.TLSCert, cfg.TLSKey = certFile, keyFile })
	stalled := s.dial(t) // connects, sends nothing: its handshake waits on its own reader

	// Half the server's 10 s handshake timeout: were handshakes done by the
	// acceptor, this one would wait behind the stalled one until it timed out.
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", s.Addr, &tls.Config{RootCAs: pool})
	if err != nil {
		t.Fatalf("TLS dial while another handshake stalls: %v", err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(waitTimeout))
	if _, err := io.WriteString(c, "over tls\n"); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(c).ReadString('\n'); err != nil || line != "over tls\n" {
		t.Fatalf("echo over TLS: %q, %v", line, err)
	}

	plain := s.dial(t)
	if _, err := io.WriteString(plain, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	expectEOF(t, plain)
	l := s.waitLogLine(t, logLine{"msg": "supervision decision", "remote": plain.LocalAddr().String()})
	checkFields(t, l, logLine{"category": "BadRequest", "directive": "Stop"})
	if !strings.Contains(l["cause"], "tls handshake") {
		t.Errorf("decision cause %q; want the tls handshake named", l["cause"])
	}
	_ = stalled.Close()
}

// TestTLSPlainHTTPGets400 ensures an HTTP request sent in the clear to an
// https listener is answered as net/http answers it (400, "Client sent an
// HTTP request to an HTTPS server."), before the close, and that bytes that
// are not HTTP get no reply.
func TestTLSPlainHTTPGets400(t *testing.T) {
	certFile, keyFile, _ := testCert(t)
	s := startHTTP(t, func(cfg *actors.Config) { cfg.TLSCert, cfg.TLSKey = certFile, keyFile })
	for send, want := range map[string]string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n": "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n",
		"hello, tls?\r\n\r\n":               "",
		// Unread input behind the head must not turn the close into a reset.
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 65536\r\n\r\n" + strings.Repeat("b", 65536): "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n",
	} {
		c := s.dial(t)
		if _, err := io.WriteString(c, send); err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
		got, err := io.ReadAll(c)
		if err != nil || string(got) != want {
			t.Errorf("sent %.60q in the clear: read %q, %v; want %q and the close", send, got, err, want)
		}
	}
}

// dialTLS makes a TLS connection to s trusting pool and runs its handshake;
// it is closed when the test ends.
func dialTLS(t testing.TB, s *testServer, pool *x509.CertPool) *tls.Conn {
	t.Helper()
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: waitTimeout}, "tcp", s.Addr, &tls.Config{RootCAs: pool})
	if err != nil {
		t.Fatalf("TLS dial %s: %v", s.Addr, err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(waitTimeout))
	return c
}

// TestTLSAtLimitRejectOverTLS ensures that with -at-limit reject a client of a
// TLS listener turned away at the limit reads the busy reply over TLS (its
// handshake completes, then the line, then the end), never in plain text
// before any handshake, which a TLS client cannot read; and the client being
// served is unaffected.
func TestTLSAtLimitRejectOverTLS(t *testing.T) {
	certFile, keyFile, pool := testCert(t)
	s := startEcho(t, func(cfg *actors.Config) {
		rejectAtOne(cfg)
		cfg.TLSCert, cfg.TLSKey = certFile, keyFile
	})
	first := dialTLS(t, s, pool)
	firstIn := bufio.NewReader(first)
	for _, line := range []string{"first\n", "still served\n"} {
		if _, err := io.WriteString(first, line); err != nil {
			t.Fatal(err)
		}
		if got, err := firstIn.ReadString('\n'); err != nil || got != line {
			t.Fatalf("first client's echo: %q, %v; want %q", got, err, line)
		}
		if line != "first\n" {
			break
		}
		// The first client is a session now, never idle: the next is rejected.
		rejected := dialTLS(t, s, pool)
		got, err := io.ReadAll(rejected)
		if want := string(protocol.DefaultBusyReply); err != nil || string(got) != want {
			t.Errorf("rejected TLS client read %q, %v; want %q over TLS, then the end", got, err, want)
		}
	}
}

// TestTLSSilentClientsEvictedAtOnce ensures clients that connect to a TLS
// listener and never start their handshake do not slow the admission of a
// real client: at -max-conns 2, five of them (more than the listener's slots
// and closing slots together) and then a TLS client, which is served while
// the last of them is still connected (its handshake has 10 s). Each evicted
// one is closed at once, reset, not drained: a drain has no reply to protect
// there, and held a closing slot for its whole linger (500 ms a socket), so
// the backlog of such clients was admitted at two -max-conns a second.
func TestTLSSilentClientsEvictedAtOnce(t *testing.T) {
	certFile, keyFile, pool := testCert(t)
	s := startEcho(t, func(cfg *actors.Config) {
		cfg.MaxConns = 2
		cfg.TLSCert, cfg.TLSKey = certFile, keyFile
	})
	const silent = 5
	ended := make(chan error, silent)
	for range silent {
		c := s.dial(t)
		go func() {
			_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
			_, err := c.Read(make([]byte, 1))
			ended <- err
		}()
	}

	c := dialTLS(t, s, pool)
	if _, err := io.WriteString(c, "over tls\n"); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(c).ReadString('\n'); err != nil || line != "over tls\n" {
		t.Fatalf("echo over TLS behind %d silent clients: %q, %v", silent, line, err)
	}
	// Four silent clients made room (one each for the next three and the
	// TLS client); the fifth holds a slot beside the TLS client.
	for range silent - 1 {
		if err := <-ended; !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("evicted silent client read %v; want a reset: closed at once, not drained", err)
		}
	}
	select {
	case err := <-ended:
		t.Errorf("the fifth silent client ended (%v) while the TLS client held the other slot", err)
	default:
	}
}

// TestTLSWriteTimeoutSparesSlowReader ensures the write timeout over TLS
// closes a peer that takes no data, not one that reads slowly: the kernel
// wakes a blocked writer only once a third of its send buffer (here 128 KiB)
// is free, about 0.5 s for this client reading 80 KB/s, twice the write
// timeout, though it takes data every 25 ms, far above the default minimum
// rate. crypto/tls cannot go on after a timed-out write, so the socket under
// it keeps the timeout and goes on while the peer acknowledges data. Before,
// the echo of 256 KiB was cut by a Timeout after about 100 KiB.
func TestTLSWriteTimeoutSparesSlowReader(t *testing.T) {
	certFile, keyFile, pool := testCert(t)
	s := startEcho(t, func(cfg *actors.Config) {
		cfg.TLSCert, cfg.TLSKey = certFile, keyFile
		cfg.WriteTimeout, cfg.SendBuffer = 250*time.Millisecond, 64<<10 // the kernel doubles it
	})
	const total = 256 << 10
	c := dialEchoing(t, s, pool, total)
	n, buf := 0, make([]byte, 2<<10)
	for n < total {
		m, err := c.Read(buf)
		n += m
		if err != nil {
			t.Fatalf("the echo ended after %d of %d bytes: %v", n, total, err)
		}
		time.Sleep(25 * time.Millisecond) // the client's pace, not a wait for the server
	}
}

// TestTLSWriteTimeoutStopsTrickleReader ensures the minimum send rate holds
// over TLS too (the socket under crypto/tls keeps it): a client that takes
// data in every write timeout, but at most 1 KiB every 20 ms (51 KB/s, 10 KB
// in a 200 ms window) where the rate asks 1 MiB/s (210 KB a window, or what
// was queued, under 128 KiB), is stopped as Timeout, for a write. Before, the
// write went on while the peer took anything, and the echo completed.
func TestTLSWriteTimeoutStopsTrickleReader(t *testing.T) {
	certFile, keyFile, pool := testCert(t)
	s := startEcho(t, func(cfg *actors.Config) {
		cfg.TLSCert, cfg.TLSKey = certFile, keyFile
		cfg.WriteTimeout, cfg.SendBuffer, cfg.MinSendRate = 200*time.Millisecond, 64<<10, 1<<20
	})
	c := dialEchoing(t, s, pool, 256<<10)
	go func() { // the trickle; it ends when the server closes the connection
		buf := make([]byte, 1<<10)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
			time.Sleep(20 * time.Millisecond) // the client's pace, not a wait for the server
		}
	}()
	l := waitDecision(t, s, c, 1, logLine{"category": "Timeout", "directive": "Stop"})
	if !strings.Contains(l["cause"], "write") {
		t.Errorf("decision cause = %q; want the write that timed out", l["cause"])
	}
}

// dialEchoing connects a TLS client to the echo server s with a 4 KiB
// receive buffer (so that a slow reader is slow to free the server's send
// buffer) and sends total bytes of lines on a goroutine of its own, which
// ends with them or when the connection does.
func dialEchoing(t *testing.T, s *testServer, pool *x509.CertPool, total int) *tls.Conn {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error { // before the handshake: the window follows it
		return c.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4<<10) })
	}}
	raw, err := d.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	c := tls.Client(raw, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(waitTimeout))
	if err := c.Handshake(); err != nil {
		t.Fatal(err)
	}
	line := append(bytes.Repeat([]byte("x"), 1023), '\n')
	go func() {
		for range total / len(line) {
			if _, err := c.Write(line); err != nil {
				return
			}
		}
	}()
	return c
}

// TestTLSWriteTimeoutStopsNonReadingPeer is TestWriteTimeoutStopsNonReadingPeer
// over TLS: a peer that sends but never reads ends as Timeout -> Stop, now that
// the socket under crypto/tls keeps the write timeout.
func TestTLSWriteTimeoutStopsNonReadingPeer(t *testing.T) {
	certFile, keyFile, pool := testCert(t)
	s := startEcho(t, func(cfg *actors.Config) {
		cfg.TLSCert, cfg.TLSKey = certFile, keyFile
		cfg.WriteTimeout = 200 * time.Millisecond
	})
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: waitTimeout}, "tcp", s.Addr, &tls.Config{RootCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	expectWriteTimeoutStop(t, s, c)
}
