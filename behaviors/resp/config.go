package resp

import (
	"fmt"
	"strings"
	"sync/atomic"
)

// Options are the resp behavior's settings, from the command line
// (-requirepass, -maxmemory, -maxmemory-policy, -proto-max-bulk-len);
// CONFIG SET changes them at run time.
type Options struct {
	RequirePass     string // "" : no AUTH needed
	MaxMemory       int64  // bytes of data (memory.go); 0: no limit
	MaxMemoryPolicy string // what to do past MaxMemory (evict.go); "": noeviction
	MaxBulkLen      int64  // proto-max-bulk-len: the largest bulk string a client may send; 0: DefaultMaxBulkLen, else at least MinMaxBulkLen
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
	samples     atomic.Int32 // maxmemory-samples: keys sampled per database to choose one to evict
}

// newConfig returns o in force, or an error naming a bad field.
func newConfig(o Options) (*config, error) {
	c := &config{}
	c.policy.Store(policyNoEviction)
	c.samples.Store(evictionSamples)
	if o.MaxMemoryPolicy != "" {
		if err := CheckPolicy(o.MaxMemoryPolicy); err != nil {
			return nil, fmt.Errorf("resp: maxmemory-policy: %w", err)
		}
		c.policy.Store(int32(policyIndex(o.MaxMemoryPolicy)))
	}
	if o.MaxMemory < 0 {
		return nil, fmt.Errorf("resp: maxmemory %d: must be 0 (no limit) or more", o.MaxMemory)
	}
	if o.MaxBulkLen == 0 {
		o.MaxBulkLen = DefaultMaxBulkLen
	}
	if o.MaxBulkLen < MinMaxBulkLen {
		return nil, fmt.Errorf("resp: proto-max-bulk-len %d: must be at least %d (1mb), as Redis's", o.MaxBulkLen, MinMaxBulkLen)
	}
	pass := o.RequirePass
	c.requirePass.Store(&pass)
	c.maxMemory.Store(o.MaxMemory)
	c.maxBulkLen.Store(o.MaxBulkLen)
	return c, nil
}

// CheckPolicy says why name is not a maxmemory-policy (nil if it is); the
// command line checks -maxmemory-policy with it.
func CheckPolicy(name string) error {
	if policyIndex(name) < 0 {
		return fmt.Errorf("%q is not one of %s", name, strings.Join(policies, ", "))
	}
	return nil
}

// policyIndex is name's index in policies (any case, as Redis's enum
// configs), or -1.
func policyIndex(name string) int {
	for i, p := range policies {
		if strings.EqualFold(p, name) {
			return i
		}
	}
	return -1
}
