// Package supervision holds async_server's categorized error type, the table that
// maps a category to a supervisor directive, and the supervisor strategy that
// applies it with restart intensity (Erlang/OTP style: at most N restarts in T).
package supervision

import (
	"errors"
	"fmt"
	"strings"
)

// Category says what kind of failure an error is; the supervisor decides by it.
type Category int

// The categories. The zero value is Internal: a failure nobody categorized is a bug.
const (
	Internal         Category = iota // a panic or bug in behavior code
	ConnectionFailed                 // reset by peer, broken pipe, read or write error
	Timeout                          // idle, header or write deadline passed
	TooLarge                         // a request or frame over the configured limit
	BadRequest                       // malformed input
	ListenerFailed                   // accept on the listener fails for good
)

var categoryNames = [...]string{
	Internal:         "Internal",
	ConnectionFailed: "ConnectionFailed",
	Timeout:          "Timeout",
	TooLarge:         "TooLarge",
	BadRequest:       "BadRequest",
	ListenerFailed:   "ListenerFailed",
}

func (c Category) String() string {
	if c < 0 || int(c) >= len(categoryNames) {
		return fmt.Sprintf("Category(%d)", int(c))
	}
	return categoryNames[c]
}

// Error is a failure with a category, in the style of os.PathError. Connection
// actors fail (panic) with an *Error so that the supervisor can errors.As it.
type Error struct {
	Category Category
	Op       string // what was being done: "read", "write", "parse", "accept", ...
	Err      error  // the cause

	// FramingLost says the byte stream can no longer be parsed (the protocol does not
	// know where the next request starts), so a restart cannot help: Stop.
	FramingLost bool

	// Injected marks a failure made on purpose (the admin endpoint's POST
	// /faults, -chaos, the test kit), so that its decision says so.
	Injected bool
}

// New returns an *Error of category c for operation op.
func New(c Category, op string, err error) *Error {
	return &Error{Category: c, Op: op, Err: err}
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.Category.String() + ": " + e.Op
	}
	return e.Category.String() + ": " + e.Op + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// ParseCategory returns the category called name, as String spells it (any case).
func ParseCategory(name string) (Category, bool) {
	for c, n := range categoryNames {
		if strings.EqualFold(n, name) {
			return Category(c), true
		}
	}
	return 0, false
}

// Categories returns every category, in the order of the constants.
func Categories() []Category {
	cs := make([]Category, len(categoryNames))
	for i := range cs {
		cs[i] = Category(i)
	}
	return cs
}

// errInjected is the cause of every injected failure.
var errInjected = errors.New("injected fault")

// Inject returns a failure of category c marked as injected.
func Inject(c Category) *Error {
	return &Error{Category: c, Op: "inject", Err: errInjected, Injected: true}
}

// IsInjected reports whether reason is a failure made by Inject.
func IsInjected(reason any) bool {
	var e *Error
	err, ok := reason.(error)
	return ok && errors.As(err, &e) && e.Injected
}

// CategoryOf returns the category of a failure reason (a panic value): the
// category of the first *Error in its chain, or Internal for anything else.
func CategoryOf(reason any) Category {
	var e *Error
	if err, ok := reason.(error); ok && errors.As(err, &e) {
		return e.Category
	}
	return Internal
}

// framingLost reports whether reason is an *Error that lost the stream's framing.
func framingLost(reason any) bool {
	var e *Error
	err, ok := reason.(error)
	return ok && errors.As(err, &e) && e.FramingLost
}
