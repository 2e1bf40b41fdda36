package resp

import (
	"fmt"
	"slices"
	"testing"
)

// listModel is the obvious slice implementation that list must agree with.
type listModel [][]byte

func listStrings(l *List) []string {
	out := make([]string, l.Len())
	for i := range out {
		out[i] = string(l.At(i))
	}
	return out
}

// remove is LREM on the model.
func (m *listModel) remove(v []byte, count int) int {
	removed := 0
	if count >= 0 {
		for i := 0; i < len(*m); {
			if string((*m)[i]) == string(v) && (count == 0 || removed < count) {
				*m = slices.Delete(*m, i, i+1)
				removed++
				continue
			}
			i++
		}
		return removed
	}
	for i := len(*m) - 1; i >= 0 && removed < -count; i-- {
		if string((*m)[i]) == string(v) {
			*m = slices.Delete(*m, i, i+1)
			removed++
		}
	}
	return removed
}

// TestListTrimRange checks Trim and Range on every valid range of a short
// list whose elements wrap around the end of the buffer.
func TestListTrimRange(t *testing.T) {
	build := func() *List {
		l := &List{}
		for i := 0; i < 6; i++ {
			l.PushBack([]byte(fmt.Sprint(i)))
		}
		l.PopFront()
		l.PopFront()
		for i := 6; i < 10; i++ {
			l.PushBack([]byte(fmt.Sprint(i))) // 2..9, wrapped in 8 slots
		}
		return l
	}
	want := []string{"2", "3", "4", "5", "6", "7", "8", "9"}
	for start := 0; start < 8; start++ {
		for stop := start; stop < 8; stop++ {
			l := build()
			var got []string
			for _, e := range l.Range(start, stop) {
				got = append(got, string(e))
			}
			if !slices.Equal(got, want[start:stop+1]) {
				t.Errorf("Range(%d, %d) = %q; want %q", start, stop, got, want[start:stop+1])
			}
			l.Trim(start, stop)
			if got := listStrings(l); !slices.Equal(got, want[start:stop+1]) {
				t.Errorf("Trim(%d, %d) left %q; want %q", start, stop, got, want[start:stop+1])
			}
		}
	}
}

// TestListPopReleasesSlot checks that a popped element is not kept alive by
// the list: the emptied chunk's slot is cleared.
func TestListPopReleasesSlot(t *testing.T) {
	var l List
	l.PushBack([]byte("a"))
	l.PushBack(make([]byte, 2*listBigElem)) // a chunk of its own
	l.PushBack([]byte("b"))
	l.PopBack()
	l.PopBack()
	if l.nc != 1 {
		t.Fatalf("%d chunks for one element", l.nc)
	}
	for j := range l.ring {
		if c := l.ring[j]; j != l.head && (c.data != nil || c.spans != nil) {
			t.Errorf("slot %d still holds a chunk (%d bytes) after its elements were popped", j, len(c.data))
		}
	}
}
