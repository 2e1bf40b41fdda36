package resp

import (
	"math"
	"math/rand/v2"
	"strconv"
)

// maxRandomReply bounds the reply of HRANDFIELD with a negative count, the
// one hash command whose reply is not bounded by the data: -N asks for N
// fields, repeats allowed, and Redis takes any N up to 2**63-1 (it streams
// the reply into an output buffer that then grows without limit). Past
// these bytes the reply is dropped and the command answered with
// errRandomTooLarge instead, so a client cannot make the key space build a
// reply the size of the machine's memory. 16 MiB is half of -output-limit's
// default: a larger reply would close most connections anyway.
const maxRandomReply = 16 << 20

const errRandomTooLarge = "ERR HRANDFIELD reply would pass 16 MiB: ask for fewer fields"

// cmdHRandField is HRANDFIELD key [count [WITHVALUES]], with Redis 7.0's
// argument checks in its order (count, syntax, the WITHVALUES range, the
// key) and its cases: a negative count samples with repeats, a positive one
// without, returning the whole hash (in its order) when it asks for as many
// fields as there are or more.
func cmdHRandField(c *Call) {
	if len(c.Args) == 2 {
		h, ok := Lookup[*Hash](c, c.Args[1])
		if !ok {
			return
		}
		if h == nil {
			c.W.Null()
			return
		}
		c.W.BulkString(h.Random().field)
		return
	}
	n, ok := c.Int(2)
	if !ok {
		return
	}
	if n == math.MinInt64 {
		c.W.Error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
		return
	}
	if len(c.Args) > 4 || (len(c.Args) == 4 && !equalFold(string(c.Args[3]), "withvalues")) {
		c.W.Error(ErrSyntax)
		return
	}
	withValues := len(c.Args) == 4
	if withValues && (n < -math.MaxInt64/2 || n > math.MaxInt64/2) {
		c.W.Error("ERR value is out of range")
		return
	}
	h, ok := Lookup[*Hash](c, c.Args[1])
	if !ok {
		return
	}
	if h == nil || n == 0 {
		c.W.Array(0)
		return
	}
	if n < 0 || n == 1 {
		count := uint64(1)
		if n < 0 {
			count = uint64(-n)
		}
		randomWithRepeats(c, h, count, withValues)
		return
	}
	randomUnique(c, h, int(min(n, math.MaxInt32)), withValues)
}

// randomWithRepeats writes count fields drawn independently (count is 1
// for a positive count of 1, which Redis serves the same way).
func randomWithRepeats(c *Call, h *Hash, count uint64, withValues bool) {
	start := c.W.Len()
	writeRandomHeader(c.W, int64(count), withValues)
	for i := uint64(0); i < count; i++ {
		writeRandomEntry(c.W, h.Random(), withValues)
		if c.W.Len()-start > maxRandomReply {
			c.W.buf = c.W.buf[:start]
			c.W.Error(errRandomTooLarge)
			return
		}
	}
}

// randomUnique writes count distinct fields (count >= 2). All of them, in
// order, when count reaches the hash's size; otherwise a uniform random
// subset: in the hash's order for a listpack-encoded hash (as Redis's
// lpRandomPairsUnique returns them), in random order for a hashtable
// (drawn one by one when they are at most a third of it, as Redis does).
func randomUnique(c *Call, h *Hash, count int, withValues bool) {
	if h.table && count*3 <= h.Len() {
		// Few of many (Redis's CASE 4): draw until count distinct, O(count)
		// rather than a copy of every field.
		writeRandomHeader(c.W, int64(count), withValues)
		seen := make(map[string]bool, count)
		for len(seen) < count {
			if e := h.Random(); !seen[e.field] {
				seen[e.field] = true
				writeRandomEntry(c.W, e, withValues)
			}
		}
		return
	}
	live := h.Live()
	if count >= len(live) {
		writeRandomHeader(c.W, int64(len(live)), withValues)
		for i := range live {
			writeRandomEntry(c.W, &live[i], withValues)
		}
		return
	}
	writeRandomHeader(c.W, int64(count), withValues)
	if !h.table {
		// Selection sampling (Knuth's algorithm S): each field is taken with
		// probability needed/remaining, which picks a uniform subset in order.
		need := count
		for i := range live {
			if rand.IntN(len(live)-i) < need {
				writeRandomEntry(c.W, &live[i], withValues)
				need--
			}
		}
		return
	}
	for i := 0; i < count; i++ { // a partial Fisher-Yates shuffle
		j := i + rand.IntN(len(live)-i)
		live[i], live[j] = live[j], live[i]
		writeRandomEntry(c.W, &live[i], withValues)
	}
}

// writeRandomHeader writes the array header of n fields: in RESP2 a flat
// array (2n elements with values), in RESP3 an array of n [field, value]
// pairs with values.
func writeRandomHeader(w *Writer, n int64, withValues bool) {
	if withValues && w.Proto < 3 {
		n *= 2
	}
	w.header('*', n)
}

func writeRandomEntry(w *Writer, e *hashEntry, withValues bool) {
	if !withValues {
		w.BulkString(e.field)
		return
	}
	if w.Proto >= 3 {
		w.Array(2)
	}
	w.BulkString(e.field)
	w.Bulk(e.value)
}

// cmdHScan is HSCAN key cursor [MATCH pattern] [COUNT count], in Redis's
// order: the cursor is checked first, then the key (a missing one answers
// an empty scan before the options are looked at), then the options.
func cmdHScan(c *Call) {
	cursor, h, o, ok := scanStart[*Hash](c)
	if !ok {
		return
	}
	entries, next := h.Scan(cursor, o.count)
	kept := entries[:0]
	for _, e := range entries {
		if o.matches(e.field) {
			kept = append(kept, e)
		}
	}
	c.W.Array(2)
	c.W.Bulk(strconv.AppendUint(nil, next, 10))
	c.W.Array(2 * len(kept))
	for i := range kept {
		c.W.BulkString(kept[i].field)
		c.W.Bulk(kept[i].value)
	}
}
