package actors_test

import (
	"bufio"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestAdminIdleConnectionsMakeRoom ensures clients that fill the admin
// endpoint's 64 connections with idle keep-alive connections lock nobody out:
// the next client's connection closes the oldest idle one to make room
// (admin/limit.go); the idle timeout (5 s) would close them all anyway.
func TestAdminIdleConnectionsMakeRoom(t *testing.T) {
	_, a := startObserved(t, nil)
	addr := a.Addr().String()
	for range 64 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		_ = c.SetDeadline(time.Now().Add(waitTimeout))
		if _, err := c.Write([]byte("GET /tree HTTP/1.1\r\nHost: " + addr + "\r\n\r\n")); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close() // and the connection is kept, idle
	}
	client := &http.Client{Timeout: 5*time.Second + waitTimeout}
	resp, err := client.Get(a.URL + "/metrics")
	if err != nil {
		t.Fatalf("with 64 idle keep-alive connections open: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
}
