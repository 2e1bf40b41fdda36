package supervision_test

import (
	"errors"
	"fmt"
	"os"

	"async_server/supervision"
)

// ExampleDecide shows how a behavior's failure becomes a supervisor's
// decision: the behavior panics with a categorized *Error (or with anything
// else: a bug, Internal), and the connection's supervisor decides by its
// category, restarting the behavior on the same socket or stopping the
// connection. A request that cannot be framed is stopped whatever its
// category: a fresh behavior could not find where the next request starts.
func ExampleDecide() {
	malformed := supervision.New(supervision.BadRequest, "parse", errors.New("no colon in a header line"))
	unframed := supervision.New(supervision.BadRequest, "parse", errors.New("bad chunk size"))
	unframed.FramingLost = true
	for _, reason := range []any{
		malformed,
		unframed,
		supervision.New(supervision.Timeout, "read", os.ErrDeadlineExceeded),
		fmt.Errorf("handling GET /: %w", supervision.New(supervision.TooLarge, "read", nil)),
		"index out of range", // a panic's value: nobody categorized it
	} {
		c, d := supervision.Decide(reason)
		fmt.Printf("%-10s %v\n", c, d)
	}
	// Output:
	// BadRequest RestartDirective
	// BadRequest StopDirective
	// Timeout    StopDirective
	// TooLarge   StopDirective
	// Internal   RestartDirective
}
