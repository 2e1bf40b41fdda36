//go:build linux

package netpoll

import (
	"container/heap"
	"time"
)

// deadlines is the poller's heap of cold connections' read deadlines, earliest
// first. Each connection in it knows its index (input.due, -1: not in it), so
// that a connection taken back leaves it at once. Guarded by the poller's mu.
type deadlines []deadline

type deadline struct {
	at time.Duration // since the poller's epoch
	c  *Conn
}

// add puts c in at at, and reports whether it is now the earliest.
func (d *deadlines) add(c *Conn, at time.Duration) bool {
	heap.Push(d, deadline{at: at, c: c})
	return c.in.due == 0
}

// remove takes c out, if it is in.
func (d *deadlines) remove(c *Conn) {
	if i := c.in.due; i >= 0 {
		heap.Remove(d, int(i))
	}
}

// first returns the earliest deadline, if there is one.
func (d deadlines) first() (time.Duration, bool) {
	if len(d) == 0 {
		return 0, false
	}
	return d[0].at, true
}

// heap.Interface, keeping each link's index.
func (d deadlines) Len() int           { return len(d) }
func (d deadlines) Less(i, j int) bool { return d[i].at < d[j].at }
func (d deadlines) Swap(i, j int) {
	d[i], d[j] = d[j], d[i]
	d[i].c.in.due, d[j].c.in.due = int32(i), int32(j)
}
func (d *deadlines) Push(x any) {
	e := x.(deadline)
	e.c.in.due = int32(len(*d))
	*d = append(*d, e)
}
func (d *deadlines) Pop() any {
	old := *d
	e := old[len(old)-1]
	old[len(old)-1] = deadline{}
	*d = old[:len(old)-1]
	e.c.in.due = -1
	return e
}
