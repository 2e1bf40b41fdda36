package main

import (
	"io"
	"strings"
	"testing"

	"async_server/behaviors/chat"
)

// TestChatFloodFlag ensures -chat-flood=false turns chat's flood control
// off, true (and no flag) leaves the defaults, and the flag is refused with
// another behavior.
func TestChatFloodFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		want chat.Options
	}{
		{[]string{"-behavior", "chat"}, chat.DefaultOptions()},
		{[]string{"-behavior", "chat", "-chat-flood=false"}, chat.Options{}},
		{[]string{"-behavior", "chat", "-chat-flood=false", "-chat-flood=true"}, chat.DefaultOptions()},
	} {
		cmd, err := parseArgs(c.args, io.Discard)
		if err != nil {
			t.Fatalf("parseArgs(%q): %v", c.args, err)
		}
		if got := cmd.Config.Options.Chat; got != c.want {
			t.Errorf("parseArgs(%q): chat options %+v; want %+v", c.args, got, c.want)
		}
	}
	if _, err := parseArgs([]string{"-behavior", "echo", "-chat-flood=false"}, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "-chat-flood is a flag of -behavior chat") {
		t.Errorf("parseArgs(-behavior echo -chat-flood=false): %v; want it refused", err)
	}
}
