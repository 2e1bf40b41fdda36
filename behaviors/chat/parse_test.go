package chat

import (
	"strings"
	"testing"
)

// TestParseLine states the chat protocol's grammar: each line's command, or the
// one-line error its peer gets.
func TestParseLine(t *testing.T) {
	long := strings.Repeat("a", 33)
	tests := []struct {
		line    string
		want    chatCommand
		wantErr string
	}{
		{line: "hello there", want: chatCommand{arg: "hello there"}},
		{line: "", want: chatCommand{}},
		{line: " /nick x", want: chatCommand{arg: " /nick x"}},
		{line: "/nick bob", want: chatCommand{name: "nick", arg: "bob"}},
		{line: "/nick  bob ", want: chatCommand{name: "nick", arg: "bob"}},
		{line: "/nick", wantErr: "usage: /nick NAME"},
		{line: "/nick bob smith", wantErr: `bad nick "bob smith": use 1 to 32 letters, digits, - or _`},
		{line: "/nick " + long, wantErr: `bad nick "` + long[:32] + `...": use 1 to 32 letters, digits, - or _`},
		{line: "/join lobby-2_x", want: chatCommand{name: "join", arg: "lobby-2_x"}},
		{line: "/join", wantErr: "usage: /join ROOM"},
		{line: "/join caf\u00e9", wantErr: "bad room name \"caf\u00e9\": use 1 to 32 letters, digits, - or _"},
		{line: "/leave", want: chatCommand{name: "leave"}},
		{line: "/leave now", wantErr: "usage: /leave (no argument)"},
		{line: "/who", want: chatCommand{name: "who"}},
		{line: "/rooms", want: chatCommand{name: "rooms"}},
		{line: "/quit", want: chatCommand{name: "quit"}},
		{line: "/", wantErr: "unknown command /; " + chatHelp},
		{line: "/NICK bob", wantErr: "unknown command /NICK; " + chatHelp},
		{line: "/" + long + " x", wantErr: "unknown command /" + long[:32] + "...; " + chatHelp},
	}
	for _, tt := range tests {
		got, err := parseLine(tt.line)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("parseLine(%q) error = %v; want %q", tt.line, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseLine(%q) = %+v, %v; want %+v, nil", tt.line, got, err, tt.want)
		}
	}
}

// TestPlural covers the member counts in "* you joined ROOM (N members)".
func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "0 members", 1: "1 member", 2: "2 members"} {
		if got := plural(n, "member"); got != want {
			t.Errorf("plural(%d) = %q; want %q", n, got, want)
		}
	}
}

// TestChatLinePrintable ensures a chat line reaches the other members without
// control characters or bytes that are not UTF-8: one member cannot clear
// another's screen or ring its bell.
func TestChatLinePrintable(t *testing.T) {
	for line, want := range map[string]string{
		"hello, wörld":              "hello, wörld",
		"a\tb":                      "a\tb",
		"\x1b[2J\x1b[31mhi\x07\xff": "?[2J?[31mhi?\uFFFD",
		"\u009b31m":                 "?31m",
		"del\x7f":                   "del?",
	} {
		cmd, err := parseLine(line)
		if err != nil || cmd.arg != want {
			t.Errorf("parseLine(%q) = %q, %v; want %q", line, cmd.arg, err, want)
		}
	}
}
