package resp

import (
	"runtime/metrics"
	"sync/atomic"
)

// Options are the resp behavior's settings, from the command line
// (-requirepass, -maxmemory, -proto-max-bulk-len); CONFIG SET changes them
// at run time.
type Options struct {
	RequirePass string // "" : no AUTH needed
	MaxMemory   int64  // bytes; 0: no limit
	MaxBulkLen  int64  // proto-max-bulk-len: the largest bulk string a client may send
}

// DefaultOptions returns Redis's defaults.
func DefaultOptions() Options { return Options{MaxBulkLen: DefaultMaxBulkLen} }

// config is the settings in force, shared by every connection and the
// services: read and changed (CONFIG SET) from any of them, so atomic.
type config struct {
	requirePass atomic.Pointer[string]
	maxMemory   atomic.Int64
	maxBulkLen  atomic.Int64
	policy      atomic.Int32 // maxmemory-policy: index in policies
}

func newConfig(o Options) *config {
	c := &config{}
	pass := o.RequirePass
	c.requirePass.Store(&pass)
	c.maxMemory.Store(o.MaxMemory)
	c.maxBulkLen.Store(o.MaxBulkLen)
	return c
}

// heapBytes reads the bytes the Go heap's live and not-yet-swept objects
// take: what the process uses for data, Redis's used_memory's counterpart.
func heapBytes() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

// overMemory says whether used memory is over maxmemory (never when it is 0).
// The heap is read at most once per batch (Store.now changes per batch).
func (st *Store) overMemory() bool {
	max := st.cfg.maxMemory.Load()
	if max <= 0 {
		return false
	}
	if st.memAt != st.now {
		st.memAt, st.mem = st.now, heapBytes()
	}
	return st.mem > max
}
