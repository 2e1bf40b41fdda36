package resp

import "testing"

// TestKeySlot checks keySlot against slots Redis Cluster gives (CLUSTER
// KEYSLOT, and the CRC16 test vector of its specification).
func TestKeySlot(t *testing.T) {
	if got := crc16([]byte("123456789")); got != 0x31C3 {
		t.Fatalf("crc16(123456789) = %#x; want 0x31c3", got)
	}
	for key, want := range map[string]int{
		"foo": 12182, "bar": 5061, "somekey": 11058,
		"{user1000}.following": keySlot([]byte("user1000")),
		"foo{}{bar}":           keySlot([]byte("foo{}{bar}")), // an empty tag: the whole key
		"foo{{bar}}zap":        keySlot([]byte("{bar")),
	} {
		if got := keySlot([]byte(key)); got != want {
			t.Errorf("keySlot(%q) = %d; want %d", key, got, want)
		}
	}
	if keySlot([]byte("{user1000}.following")) != keySlot([]byte("{user1000}.followers")) {
		t.Error("keys with the same hash tag are in different slots")
	}
}

// TestPatternSlot checks patternSlot's cases (Redis 7.0's patternHashSlot):
// a hash tag before any wildcard is the slot, a wildcard or escape before
// it makes any slot possible, and a pattern without a tag is one key.
func TestPatternSlot(t *testing.T) {
	for p, want := range map[string]int{
		"{l}w_*":    keySlot([]byte("l")),
		"w_{l}*":    keySlot([]byte("l")),
		"w_*{l}":    -1,
		"w_?{l}":    -1,
		"w_[ab]":    -1,
		`w_\{l}`:    -1,
		"{}w_{l}":   int(crc16([]byte("{}w_{l}")) % numSlots), // an empty tag: the whole pattern
		"nosort":    keySlot([]byte("nosort")),
		"{l}w_*->f": keySlot([]byte("l")),
	} {
		if got := patternSlot([]byte(p)); got != want {
			t.Errorf("patternSlot(%q) = %d; want %d", p, got, want)
		}
	}
}
