package resp

import "testing"

// BenchmarkLookup finds commands by name as clients send them: upper case
// (redis-benchmark, most users of redis-cli), lower case (go-redis), mixed.
func BenchmarkLookup(b *testing.B) {
	for _, name := range []string{"SET", "get", "LPush"} {
		b.Run(name, func(b *testing.B) {
			n := []byte(name)
			for range b.N {
				if lookup(n) == nil {
					b.Fatal("not found")
				}
			}
		})
	}
}

// TestLookupAnyCase ensures a command is found by its name in any case, and
// an unknown or over-long name is not.
func TestLookupAnyCase(t *testing.T) {
	for _, name := range []string{"set", "SET", "Set", "sEt", "CLIENT", "client"} {
		if c := lookup([]byte(name)); c == nil || c.Name != map[bool]string{true: "set", false: "client"}[name[0]|0x20 == 's'] {
			t.Errorf("lookup(%q) = %v", name, c)
		}
	}
	for _, name := range []string{"nosuch", "SETX", "", string(make([]byte, 40))} {
		if c := lookup([]byte(name)); c != nil {
			t.Errorf("lookup(%q) = %s; want nil", name, c.Name)
		}
	}
}
