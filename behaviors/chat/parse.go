package chat

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// chatCommand is one parsed line of the chat protocol: a command (name "nick",
// "join", "leave", "who", "rooms", "quit") with its argument, or a chat line
// (name "", arg the text).
type chatCommand struct {
	name string
	arg  string
}

// maxChatName bounds nicks and room names: short enough for a line prefix.
const maxChatName = 32

// errNoRoom is the reason given for a line or /leave, /who outside a room.
const errNoRoom = "no room joined; /join ROOM first"

// parseLine parses one line (without its newline). Its errors are the one-line
// replies the peer gets; the connection goes on.
func parseLine(line string) (chatCommand, error) {
	if !strings.HasPrefix(line, "/") {
		return chatCommand{arg: printable(line)}, nil
	}
	name, arg, _ := strings.Cut(line[1:], " ")
	arg = strings.TrimSpace(arg)
	switch name {
	case "nick":
		return nameCommand("nick", "NAME", "nick", arg)
	case "join":
		return nameCommand("join", "ROOM", "room name", arg)
	case "leave", "who", "rooms", "quit":
		if arg != "" {
			return chatCommand{}, errors.New("usage: /" + name + " (no argument)")
		}
		return chatCommand{name: name}, nil
	}
	return chatCommand{}, errors.New("unknown command /" + cut(name) + "; " + chatHelp)
}

// nameCommand is /name ARG, whose argument is a nick or room name (what).
func nameCommand(name, usage, what, arg string) (chatCommand, error) {
	if arg == "" {
		return chatCommand{}, errors.New("usage: /" + name + " " + usage)
	}
	if !validChatName(arg) {
		return chatCommand{}, errors.New("bad " + what + " \"" + cut(arg) + "\": use 1 to 32 letters, digits, - or _")
	}
	return chatCommand{name: name, arg: arg}, nil
}

// validChatName reports whether s is 1 to maxChatName ASCII letters, digits,
// '-' or '_'.
func validChatName(s string) bool {
	if len(s) == 0 || len(s) > maxChatName {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
		if !ok {
			return false
		}
	}
	return true
}

// printable is a chat line as the other members see it: control characters
// (but tab) shown as '?' and bytes that are not UTF-8 as U+FFFD, so that no
// member can send another's terminal an escape sequence (clear the screen,
// retitle the window, ring the bell). A line with none is returned as is.
func printable(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || r != '\t' && unicode.IsControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r != '\t' && unicode.IsControl(r) {
			return '?'
		}
		return r
	}, s)
}

// cut makes a client's text fit an error line: at most maxChatName bytes, and
// control characters shown as '?', so an error reply stays one line the client
// cannot dress up (a CR rewriting the terminal line, say).
func cut(s string) string {
	if len(s) > maxChatName {
		s = s[:maxChatName] + "..."
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}
