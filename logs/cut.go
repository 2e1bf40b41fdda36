package logs

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/sirupsen/logrus"
)

// Caps on what one entry may carry, in bytes before quoting. A client controls
// much of what is logged (a request line, a header, a chunk of input inside an
// error's text), and a log that grows by what a client sends is an amplifier: a
// 1 MB request line once became a 1 MB log line. So every value is cut centrally,
// here, instead of trusting each call site to remember.
const (
	// MaxValue bounds a field value and the message. 512 keeps whole what the
	// server itself writes (addresses, ids, error chains of a few causes, a
	// request line of an ordinary URL) and is short enough that an entry of a
	// dozen fields stays a few kilobytes, even when quoting quadruples the bytes.
	MaxValue = 512

	// MaxStack bounds the "stack" field: a panic's goroutine stack is kept
	// because it is what a reader needs to find the bug, and 8 KiB holds the
	// 20 to 40 frames of a panic in behavior code; deeper frames are protoactor's
	// and the runtime's.
	MaxStack = 8 << 10

	// StackField is the field a panic's stack is logged under.
	StackField = "stack"
)

// cutEntry returns msg and fields with every value cut to its cap. fields is the
// entry's own copy (see Fire), so it is changed in place.
func cutEntry(msg string, fields logrus.Fields) string {
	for k, v := range fields {
		limit := MaxValue
		if k == StackField {
			limit = MaxStack
		}
		fields[k] = cutValue(v, limit)
	}
	return Cut(msg, MaxValue)
}

// cutValue returns v, or its text cut to limit bytes when that text is longer.
// Numbers, booleans and times are short by nature and keep their type, so the
// JSON format still writes them as numbers; anything else is judged by the text
// the formatters would write for it, and keeps its type when short enough.
func cutValue(v any, limit int) any {
	var s string
	switch v := v.(type) {
	case nil, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64,
		uintptr, float32, float64, time.Time, time.Duration:
		return v
	case string:
		s = v
	case []byte:
		if len(v) <= limit {
			return v
		}
		n := keep(v, limit)
		return string(v[:n]) + cutMark(len(v)-n)
	case error:
		s = v.Error()
	case fmt.Stringer:
		s = v.String()
	default:
		s = fmt.Sprint(v)
	}
	if len(s) <= limit {
		return v
	}
	return Cut(s, limit)
}

// Cut returns s, or its first limit bytes (fewer, to end on a whole rune) with a
// mark saying how many bytes were cut: "...[cut N bytes]". Every value logged is
// cut this way already; a behavior uses it for a client-controlled text it puts
// anywhere else a log may end up quoting (an error's text, say).
func Cut(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	n := keep(s, limit)
	return s[:n] + cutMark(len(s)-n)
}

// keep returns how many leading bytes of s to keep: limit (less than len(s)),
// backed off by up to three bytes so that valid UTF-8 is not cut inside a rune.
func keep[S string | []byte](s S, limit int) int {
	for n := limit; n > limit-utf8.UTFMax && n > 0; n-- {
		if utf8.RuneStart(s[n]) {
			return n
		}
	}
	return limit // not UTF-8 here: any cut will do
}

func cutMark(n int) string { return fmt.Sprintf("...[cut %d bytes]", n) }
