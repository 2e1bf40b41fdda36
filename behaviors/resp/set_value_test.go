package resp

import (
	"slices"
	"strconv"
	"testing"
)

// TestSetEncodings checks the intset/hashtable rules Redis 7.0 shows clients:
// integers stay sorted in an intset, a non-integer or the 513th member
// converts it for good, and an intset scan is one call.
func TestSetEncodings(t *testing.T) {
	s := newSet()
	for _, m := range []string{"3", "-1", "20", "3"} {
		s.Add(m)
	}
	if got := s.Members(); !slices.Equal(got, []string{"-1", "3", "20"}) || s.Encoding() != "intset" {
		t.Fatalf("intset members = %v (%s)", got, s.Encoding())
	}
	for _, notInt := range []string{"03", "+3", "-0", "1.0", "99999999999999999999"} {
		c := newSet()
		c.Add("1")
		c.Add(notInt)
		if c.Encoding() != "hashtable" || !c.Has(notInt) || !c.Has("1") {
			t.Errorf("adding %q: encoding %s", notInt, c.Encoding())
		}
	}
	big := newSet()
	for i := 0; i < setMaxIntsetEntries; i++ {
		big.Add(strconv.Itoa(i))
	}
	if big.Encoding() != "intset" {
		t.Fatal("512 integers are not an intset")
	}
	big.Add("512")
	if big.Encoding() != "hashtable" || big.Len() != 513 {
		t.Fatalf("513 integers: %s, %d", big.Encoding(), big.Len())
	}
	for i := 0; i < 513; i++ {
		big.Remove(strconv.Itoa(i))
	}
	if big.Encoding() != "hashtable" || big.Len() != 0 {
		t.Fatal("a hashtable went back")
	}
	if !s.Remove("3") || s.Remove("3") || s.Has("3") || s.Len() != 2 {
		t.Fatal("intset remove")
	}
	n := 0
	if s.Scan(0, 1, func(string) { n++ }) != 0 || n != 2 {
		t.Fatal("an intset scan is not whole")
	}
}
