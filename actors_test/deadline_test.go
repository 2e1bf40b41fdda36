package actors_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"async_server/actors"
)

// TestBodyProgressExtendsDeadline ensures a deadline a behavior sets moves with
// the progress it asks for: the http behavior wants each piece of a body within
// -header-timeout of the last, and a body that arrives one byte every 50 ms for
// 2 s, with a 500 ms header timeout, is served (not 408), although the server
// re-arms socket deadlines coarsely (link.rearm).
func TestBodyProgressExtendsDeadline(t *testing.T) {
	s := startHTTP(t, func(cfg *actors.Config) {
		cfg.Options.HTTP.HeaderTimeout = 500 * time.Millisecond
		cfg.Options.HTTP.MinBodyRate = 0 // the progress rule alone: 20 B/s is under the default minimum rate
	})
	c := s.dialRaw(t)
	const bodyLen = 40
	c.send(t, fmt.Sprintf("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", bodyLen))
	tick := time.NewTicker(50 * time.Millisecond) // the client's pace is the point of the test
	defer tick.Stop()
	for range bodyLen {
		<-tick.C
		c.send(t, "x")
	}
	resp, _ := c.response(t, http.MethodPost)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST with a body trickling for 2 s: status %d; want %d", resp.StatusCode, http.StatusOK)
	}
}
