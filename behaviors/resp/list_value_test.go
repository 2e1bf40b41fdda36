package resp

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// listModel is the obvious slice implementation that list must agree with.
type listModel [][]byte

func (m listModel) strings() []string {
	out := make([]string, len(m))
	for i, e := range m {
		out[i] = string(e)
	}
	return out
}

func listStrings(l *List) []string {
	out := make([]string, l.Len())
	for i := range out {
		out[i] = string(l.At(i))
	}
	return out
}

// TestListAgainstModel runs random operations on a list and on a slice and
// checks that they hold the same elements after each one, across growth,
// wrap-around and shrinking.
func TestListAgainstModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var l List
	var m listModel
	for step := 0; step < 20000; step++ {
		v := []byte(fmt.Sprint(rng.IntN(6)))
		op := rng.IntN(9)
		// Bias towards growth for the first half, shrinking for the second.
		if step > 10000 && op < 2 {
			op += 2
		}
		switch op {
		case 0:
			l.PushBack(v)
			m = append(m, v)
		case 1:
			l.PushFront(v)
			m = append(listModel{v}, m...)
		case 2, 3:
			if len(m) > 0 {
				if got := l.PopFront(); string(got) != string(m[0]) {
					t.Fatalf("step %d: PopFront = %q; want %q", step, got, m[0])
				}
				m = m[1:]
			}
		case 4, 5:
			if len(m) > 0 {
				if got := l.PopBack(); string(got) != string(m[len(m)-1]) {
					t.Fatalf("step %d: PopBack = %q; want %q", step, got, m[len(m)-1])
				}
				m = m[:len(m)-1]
			}
		case 6:
			i := rng.IntN(len(m) + 1)
			l.Insert(i, v)
			m = slices.Insert(m, i, v)
		case 7:
			if len(m) > 0 {
				i := rng.IntN(len(m))
				l.Set(i, v)
				m[i] = v
			}
		case 8:
			count := rng.IntN(5) - 2
			got := l.Remove(v, count)
			want := m.remove(v, count)
			if got != want {
				t.Fatalf("step %d: Remove(%q, %d) = %d; want %d", step, v, count, got, want)
			}
		}
		if got, want := listStrings(&l), m.strings(); !slices.Equal(got, want) {
			t.Fatalf("step %d (op %d): list %q; want %q", step, op, got, want)
		}
		if len(l.buf) > listMinCap && l.n < len(l.buf)/4 {
			t.Fatalf("step %d: %d elements in %d slots: not shrunk", step, l.n, len(l.buf))
		}
	}
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
// the buffer.
func TestListPopReleasesSlot(t *testing.T) {
	var l List
	l.PushBack([]byte("a"))
	l.PushBack([]byte("b"))
	l.PopFront()
	l.PopBack()
	for i, s := range l.buf {
		if s != nil {
			t.Errorf("slot %d still holds %q after both pops", i, s)
		}
	}
}
