package resp

import (
	"strings"
	"testing"
)

// TestSetStrInPlace ensures SET's value is written into the key's own
// string when it has room (no allocation), and into a new one when the key
// holds another type, nothing, or a string whose capacity is much more than
// the value (the memory count sees lengths): the value, its time to live and
// the memory count are as a new string's would be.
func TestSetStrInPlace(t *testing.T) {
	st := NewStore(&config{})
	db := st.dbs[0]
	key := []byte("k")
	strOf := func() *Str {
		t.Helper()
		s, ok := db.Get(key).(*Str)
		if !ok {
			t.Fatalf("k holds %T; want a string", db.Get(key))
		}
		return s
	}
	db.SetStr(key, []byte("first"), false)
	st.settle()
	first, used := strOf(), db.used
	db.Expire(key, st.now+60_000)
	db.SetStr(key, []byte("other"), false)
	st.settle()
	if s := strOf(); s != first || string(s.B) != "other" {
		t.Errorf("rewritten in place: %v, value %q; want in place, \"other\"", s == first, s.B)
	}
	if _, ok := db.expires.M["k"]; ok || db.used != used {
		t.Errorf("after SET: time to live kept %v, memory %d; want dropped, %d", ok, db.used, used)
	}
	if allocs := testing.AllocsPerRun(100, func() { db.SetStr(key, []byte("third"), false); st.settle() }); allocs != 0 {
		t.Errorf("%v allocations for a SET over a string with room; want 0", allocs)
	}

	long := []byte(strings.Repeat("x", 1000))
	db.SetStr(key, long, false)
	big := strOf()
	db.SetStr(key, []byte("short"), false)
	st.settle()
	if s := strOf(); s == big || string(s.B) != "short" || db.used != used {
		t.Errorf("over a 1000-byte string: in place %v, value %q, memory %d; want a new string, \"short\", %d", s == big, s.B, db.used, used)
	}

	db.Set(key, newHash(), false)
	db.SetStr(key, []byte("again"), false)
	if s := strOf(); string(s.B) != "again" {
		t.Errorf("over a hash: %q; want \"again\"", s.B)
	}
}
