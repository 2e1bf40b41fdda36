package chat

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzChatLine ensures parseLine, which sees every line a client sends, never
// panics and keeps its promises for any input: a chat line passes through
// unchanged, a nick or room name it accepts is valid, and an error reply is one
// short line, whatever the client sent (a reply must not echo megabytes, nor
// let a client forge a second line).
func FuzzChatLine(f *testing.F) {
	for _, seed := range []string{"", "hi", "/nick bob", "/join lobby", "/join", "/leave x", "/who",
		"/rooms", "/quit", "/bogus", "/nick " + strings.Repeat("x", 40), "/nick a\nb", "/join  spaced  ",
		"/nick é", "/", "//", "/nick\tbob", "\x1b[2J\x1b[31mhi\x07\xff", "tab\there", "\u009b31m"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		cmd, err := parseLine(line)
		if err != nil {
			msg := err.Error()
			if len(msg) > 200 || strings.ContainsAny(msg, "\r\n") {
				t.Fatalf("parseLine(%q) error %q: want one line under 200 bytes", line, msg)
			}
			return
		}
		switch cmd.name {
		case "":
			if want := printable(line); cmd.arg != want {
				t.Fatalf("parseLine(%q) = chat line %q; want %q", line, cmd.arg, want)
			}
			for _, r := range cmd.arg {
				if r != '\t' && unicode.IsControl(r) || !utf8.ValidString(cmd.arg) {
					t.Fatalf("parseLine(%q) = chat line %q: a control character or bad UTF-8 passes", line, cmd.arg)
				}
			}
			if utf8.ValidString(line) && utf8.RuneCountInString(cmd.arg) != utf8.RuneCountInString(line) {
				t.Fatalf("parseLine(%q) = chat line %q: characters added or lost", line, cmd.arg)
			}
		case "nick", "join":
			if !validChatName(cmd.arg) {
				t.Fatalf("parseLine(%q) accepted the name %q", line, cmd.arg)
			}
		case "leave", "who", "rooms", "quit":
			if cmd.arg != "" {
				t.Fatalf("parseLine(%q) = /%s with argument %q", line, cmd.name, cmd.arg)
			}
		default:
			t.Fatalf("parseLine(%q) = unknown command %q", line, cmd.name)
		}
	})
}
