package resp

import (
	"errors"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// TestShardLookupFailed ensures a shard whose grain could not be found is
// reported in the user's terms: a lookup that timed out said protoactor's
// "future: timeout" in the CLUSTERDOWN reply (seen by hand with a node
// killed), which names neither what was waited for nor how long.
func TestShardLookupFailed(t *testing.T) {
	got := shardDown(5, "cannot be reached ("+lookupFailed(actor.ErrTimeout, time.Second)+"); the command did not run")
	want := "CLUSTERDOWN shard 5 (slots 5120-6143) cannot be reached (no node answered its activation within 1s); the command did not run"
	if got != want {
		t.Errorf("reply = %q\nwant    %q", got, want)
	}
	if got := lookupFailed(errors.New("no route"), time.Second); got != "no route" {
		t.Errorf("lookupFailed(other error) = %q; want the error as it is", got)
	}
}
