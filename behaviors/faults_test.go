package behaviors_test

import (
	"testing"

	"async_server/testkit"
)

// TestFaultsHelp ensures faults answers help with its commands, each with the
// decision it causes, and that help is not counted as a line.
func TestFaultsHelp(t *testing.T) {
	srv := testkit.Start(t, "faults")
	c := srv.Dial(t)
	c.SendLine("help")
	c.ExpectLine("commands: panic (Internal: Restart), bad (BadRequest: Restart), " +
		"lost (BadRequest, framing lost: Stop), big (TooLarge: Stop), help; any other line comes back counted")
	c.SendLine("x")
	c.ExpectLine("count 1: x")
}
