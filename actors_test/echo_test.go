package actors_test

import (
	"bufio"
	"fmt"
	"testing"
)

// TestEchoLines ensures the default echo behavior writes every line back.
func TestEchoLines(t *testing.T) {
	s := startServer(t, nil)
	c := s.dial(t)
	r := bufio.NewReader(c)
	for i := range 3 {
		want := fmt.Sprintf("line %d", i)
		fmt.Fprintf(c, "%s\n", want)
		if got := readLine(t, c, r); got != want {
			t.Fatalf("echo = %q; want %q", got, want)
		}
	}
}
