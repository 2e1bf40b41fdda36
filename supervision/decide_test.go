package supervision

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
)

// runtimeError is a stand-in for a runtime.Error panic value (an index out of
// range, a nil dereference) as recover hands it to the supervisor.
type runtimeError struct{}

func (runtimeError) Error() string { return "runtime error: index out of range [3] with length 3" }
func (runtimeError) RuntimeError() {}

// TestDecide ensures the decider states the whole supervision contract: each category's directive, framing loss forcing Stop, anything that
// is not an *Error counting as Internal, and an *Error found through wrapping.
func TestDecide(t *testing.T) {
	lost := &Error{Category: BadRequest, Op: "parse", Err: errors.New("bad frame"), FramingLost: true}
	tests := []struct {
		name   string
		reason any
		cat    Category
		dir    actor.Directive
	}{
		{"ConnectionFailed", New(ConnectionFailed, "read", io.ErrUnexpectedEOF), ConnectionFailed, actor.StopDirective},
		{"Timeout", New(Timeout, "write", nil), Timeout, actor.StopDirective},
		{"TooLarge", New(TooLarge, "read", nil), TooLarge, actor.StopDirective},
		{"BadRequest", New(BadRequest, "parse", nil), BadRequest, actor.RestartDirective},
		{"BadRequest framing lost", lost, BadRequest, actor.StopDirective},
		{"Internal", New(Internal, "received", nil), Internal, actor.RestartDirective},
		{"Internal framing lost", &Error{Category: Internal, FramingLost: true}, Internal, actor.StopDirective},
		{"ListenerFailed", New(ListenerFailed, "accept", nil), ListenerFailed, actor.RestartDirective},
		{"unknown category", New(Category(99), "x", nil), Category(99), actor.StopDirective},
		{"string panic", "boom", Internal, actor.RestartDirective},
		{"runtime error", runtimeError{}, Internal, actor.RestartDirective},
		{"plain error", errors.New("plain"), Internal, actor.RestartDirective},
		{"nil", nil, Internal, actor.RestartDirective},
		{"wrapped Timeout", fmt.Errorf("handler: %w", New(Timeout, "write", nil)), Timeout, actor.StopDirective},
		{"wrapped TooLarge twice", fmt.Errorf("a: %w", fmt.Errorf("b: %w", New(TooLarge, "read", nil))), TooLarge, actor.StopDirective},
		{"wrapped framing lost", fmt.Errorf("handler: %w", lost), BadRequest, actor.StopDirective},
		{"joined", errors.Join(errors.New("other"), New(ConnectionFailed, "write", nil)), ConnectionFailed, actor.StopDirective},
		{"Error by value is not *Error", Error{Category: Timeout}, Internal, actor.RestartDirective},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat, dir := Decide(tt.reason)
			if cat != tt.cat || dir != tt.dir {
				t.Errorf("Decide(%v) = %v, %v; want %v, %v", tt.reason, cat, dir, tt.cat, tt.dir)
			}
		})
	}
}

// TestDecideCoversEveryCategory ensures every named category has a row in the
// table, so a category added without a decision is caught here and not in
// production (where it would silently Stop).
func TestDecideCoversEveryCategory(t *testing.T) {
	for c := range Category(len(categoryNames)) {
		if _, ok := directives[c]; !ok {
			t.Errorf("directives[%v] missing; every category needs a directive", c)
		}
	}
	if len(directives) != len(categoryNames) {
		t.Errorf("len(directives) = %d; want %d (one per category)", len(directives), len(categoryNames))
	}
}

// TestCategoryString ensures every category prints its name (as the logs and
// the supervision table spell it) and an out-of-range value prints its number
// instead of panicking.
func TestCategoryString(t *testing.T) {
	tests := []struct {
		c    Category
		want string
	}{
		{Internal, "Internal"},
		{ConnectionFailed, "ConnectionFailed"},
		{Timeout, "Timeout"},
		{TooLarge, "TooLarge"},
		{BadRequest, "BadRequest"},
		{ListenerFailed, "ListenerFailed"},
		{Category(len(categoryNames)), fmt.Sprintf("Category(%d)", len(categoryNames))},
		{Category(-1), "Category(-1)"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("Category(%d).String() = %q; want %q", int(tt.c), got, tt.want)
		}
	}
}

// TestErrorError ensures an *Error's text names its category and operation and
// carries its cause, lower case and without final punctuation.
func TestErrorError(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{New(Timeout, "write", nil), "Timeout: write"},
		{New(ConnectionFailed, "read", io.ErrUnexpectedEOF), "ConnectionFailed: read: unexpected EOF"},
		{&Error{Category: BadRequest, Op: "parse", Err: errors.New("bad line"), FramingLost: true}, "BadRequest: parse: bad line"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("(%#v).Error() = %q; want %q", tt.err, got, tt.want)
		}
	}
}

// TestErrorUnwrap ensures errors.Is and errors.As see through an *Error to its
// cause, also when the *Error itself is wrapped, so callers can compare with
// sentinels such as io.EOF.
func TestErrorUnwrap(t *testing.T) {
	e := New(ConnectionFailed, "read", io.EOF)
	if got := e.Unwrap(); got != io.EOF {
		t.Errorf("Unwrap() = %v; want %v", got, io.EOF)
	}
	if got := New(Timeout, "write", nil).Unwrap(); got != nil {
		t.Errorf("Unwrap() of an *Error without cause = %v; want nil", got)
	}
	wrapped := fmt.Errorf("conn-1: %w", e)
	if !errors.Is(wrapped, io.EOF) {
		t.Errorf("errors.Is(%v, io.EOF) = false; want true", wrapped)
	}
	if errors.Is(wrapped, io.ErrUnexpectedEOF) {
		t.Errorf("errors.Is(%v, io.ErrUnexpectedEOF) = true; want false", wrapped)
	}
	var got *Error
	if !errors.As(wrapped, &got) || got != e {
		t.Errorf("errors.As(%v, *Error) = %v; want %v", wrapped, got, e)
	}
}

// TestCategoryOf ensures CategoryOf takes the first *Error in the chain.
func TestCategoryOf(t *testing.T) {
	outer := &Error{Category: TooLarge, Op: "read", Err: New(Timeout, "write", nil)}
	if got := CategoryOf(outer); got != TooLarge {
		t.Errorf("CategoryOf(%v) = %v; want %v", outer, got, TooLarge)
	}
}
