package resp

import "math/rand/v2"

// Redis's LFU (evict.c), for allkeys-lfu and volatile-lfu: each key has an
// 8-bit logarithmic access counter, which starts at lfuInitVal for a new
// key, grows on an access with probability 1/((counter-lfuInitVal)*
// lfuLogFactor+1) (so 255 takes about a million accesses), and loses one
// per lfuDecayMinutes since the key's last access. OBJECT FREQ reports it.
// The counter is kept only while an LFU policy is in force, as Redis keeps
// it in the field that holds the LRU time otherwise (so a switch of policy
// takes some time to show, as Redis's error texts warn).
const (
	lfuInitVal      = 5  // LFU_INIT_VAL
	lfuLogFactor    = 10 // lfu-log-factor's default
	lfuDecayMinutes = 1  // lfu-decay-time's default
)

// lfuMinutes is Redis's LFUGetTimeInMinutes: Unix minutes, 16 bits.
func lfuMinutes(nowMs int64) uint16 { return uint16(nowMs / 60000) }

// lfuStart gives a new key its counter.
func (e *entry) lfuStart(nowMs int64) {
	e.freq, e.ldt = lfuInitVal, lfuMinutes(nowMs)
}

// lfuTouch counts an access (Redis's updateLFU): the decay first, then the
// logarithmic increment.
func (e *entry) lfuTouch(nowMs int64) {
	c := e.lfuCount(nowMs)
	if c < 255 {
		base := float64(int(c) - lfuInitVal)
		if base < 0 {
			base = 0
		}
		if rand.Float64() < 1/(base*lfuLogFactor+1) {
			c++
		}
	}
	e.freq, e.ldt = c, lfuMinutes(nowMs)
}

// lfuCount is the counter after the decay since the last access (Redis's
// LFUDecrAndReturn), without recording it.
func (e *entry) lfuCount(nowMs int64) uint8 {
	elapsed := lfuMinutes(nowMs) - e.ldt // 16-bit, wraps as Redis's LFUTimeElapsed
	periods := int(elapsed) / lfuDecayMinutes
	if periods >= int(e.freq) {
		return 0
	}
	return e.freq - uint8(periods)
}

// lfu says whether an LFU policy is in force.
func (st *Store) lfu() bool {
	p := st.cfg.policy.Load()
	return p == policyAllKeysLFU || p == policyVolatileLFU
}
