package resp

// This file adds commands that only tests have (the server's table in a test
// binary has them; the real one does not): a minimal list to exercise the
// blocking mechanism before the list group exists, and a command that
// panics in the key space.

// testList is a list of byte strings: the least a blocking pop needs.
type testList struct{ items [][]byte }

func (*testList) Type() string     { return "testlist" }
func (*testList) Encoding() string { return "test" }

var testCommands = []Command{
	{Name: "test.push", Arity: 3, Flags: Write, FirstKey: 1, LastKey: 1, Step: 1, Group: "test", Run: cmdTestPush},
	{Name: "test.bpop", Arity: 3, Flags: Write | Blocking, FirstKey: 1, LastKey: 1, Step: 1, Group: "test", Run: cmdTestBPop},
	{Name: "test.panic", Arity: 1, Group: "test", Run: func(*Call) { panic("test.panic") }},
	{Name: "test.memcheck", Arity: 1, Group: "test", Run: cmdTestMemCheck},
	// TEST.WATCHING: how many connections the key space has watching keys.
	{Name: "test.watching", Arity: 1, Group: "test", Run: func(c *Call) { c.W.Int(int64(len(c.Store.watches.byClient.M))) }},
}

func init() {
	poisonReleased = true // a command that kept an argument shows as a wrong reply
	commandFiles = append(commandFiles, testCommands)
	table, flat, byName = buildTable()
}

func cmdTestPush(c *Call) {
	l, ok := Lookup[*testList](c, c.Args[1])
	if !ok {
		return
	}
	if l == nil {
		l = &testList{}
		c.DB.Set(c.Args[1], l, false)
	}
	l.items = append(l.items, clone(c.Args[2]))
	c.DB.Changed(c.Args[1])
	c.W.Int(int64(len(l.items)))
}

// cmdTestBPop is TEST.BPOP key timeout: the first item, or block.
func cmdTestBPop(c *Call) {
	timeout, ok := c.Timeout(2)
	if !ok {
		return
	}
	l, ok := Lookup[*testList](c, c.Args[1])
	if !ok {
		return
	}
	if l == nil {
		c.Block(c.Args[1:2], timeout, func(w *Writer) { w.NullArray() })
		return
	}
	item := l.items[0]
	l.items = l.items[1:]
	if len(l.items) == 0 {
		c.DB.Delete(c.Args[1])
	}
	c.W.Array(2)
	c.W.Bulk(c.Args[1])
	c.W.Bulk(item)
}

// RaceEnabled is raceEnabled, for the package's external tests.
const RaceEnabled = raceEnabled

// HeapAfterGC is heapAfterGC (pubsub_mem_test.go), for the package's
// external tests.
var HeapAfterGC = heapAfterGC

// MallocsPerRun is mallocsPerRun (list_bench_test.go), for the package's
// external tests.
var MallocsPerRun = mallocsPerRun

// ListRemoveVisits is how many elements LREM has looked at in all
// (listRemoveVisits), for the package's external tests.
func ListRemoveVisits() int64 { return listRemoveVisits.Load() }
