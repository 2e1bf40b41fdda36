package admin

import (
	"testing"

	"github.com/sirupsen/logrus"
	"github.com/sirupsen/logrus/hooks/test"
)

// TestErrorLogCause ensures a line net/http logs (a failed accept, say)
// becomes one entry whose cause is the line without its newline.
func TestErrorLogCause(t *testing.T) {
	logger, hook := test.NewNullLogger()
	errorLog(logrus.NewEntry(logger)).Printf("http: Accept error: %v; retrying in 5ms", "accept tcp: too many open files")
	e := hook.LastEntry()
	if e == nil {
		t.Fatal("nothing logged")
	}
	const want = "http: Accept error: accept tcp: too many open files; retrying in 5ms"
	if got := e.Data["cause"]; got != want {
		t.Errorf("cause = %q; want %q", got, want)
	}
}
