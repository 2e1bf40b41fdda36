package resp

// lcsCommands is LCS.
var lcsCommands = []Command{
	{Name: "lcs", Arity: -3, Flags: ReadOnly, FirstKey: 1, LastKey: 2, Step: 1, Group: "string",
		Run: cmdLCS, Summary: "Finds the longest common substring."},
}

// lcsRange is one match LCS IDX reports: in a, in b.
type lcsRange struct{ a0, a1, b0, b1 int }

// cmdLCS is LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN], a
// translation of Redis 7.0's (the same table, the same walk back, the same
// ranges and limits).
func cmdLCS(c *Call) {
	va, vb := c.DB.Get(c.Args[1]), c.DB.Get(c.Args[2])
	sa, okA := va.(*Str)
	sb, okB := vb.(*Str)
	if va != nil && !okA || vb != nil && !okB {
		c.W.Error("ERR The specified keys must contain string values")
		return
	}
	var a, b []byte
	if sa != nil {
		a = sa.B
	}
	if sb != nil {
		b = sb.B
	}
	o, ok := lcsOptions(c)
	if !ok {
		return
	}
	if o.idx && o.len {
		c.W.Error("ERR If you want both the length and indexes, please just use IDX.")
		return
	}
	if int64(len(a)+1)*int64(len(b)+1)*4 > c.Store.cfg.maxBulkLen.Load() {
		c.W.Error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
		return
	}
	dp := lcsTable(a, b)
	total := dp[len(a)*(len(b)+1)+len(b)]
	if o.len {
		c.W.Int(int64(total))
		return
	}
	result, ranges := lcsWalk(a, b, dp, o.minLen)
	if !o.idx {
		c.W.Bulk(result)
		return
	}
	writeLCSMatches(c.W, ranges, total, o.withLen)
}

// lcsOpts are LCS's options.
type lcsOpts struct {
	len, idx, withLen bool
	minLen            int64
}

// lcsOptions reads LCS's options from c.Args[3:]; an error (and false) for
// one it does not know, or a MINMATCHLEN that is not an integer.
func lcsOptions(c *Call) (o lcsOpts, ok bool) {
	for j := 3; j < len(c.Args); j++ {
		switch opt := c.Args[j]; {
		case argIs(opt, "idx"):
			o.idx = true
		case argIs(opt, "len"):
			o.len = true
		case argIs(opt, "withmatchlen"):
			o.withLen = true
		case argIs(opt, "minmatchlen") && j+1 < len(c.Args):
			n, ok := c.Int(j + 1)
			if !ok {
				return o, false
			}
			o.minLen = max(n, 0)
			j++
		default:
			c.W.Error(ErrSyntax)
			return o, false
		}
	}
	return o, true
}

// writeLCSMatches writes LCS IDX's reply: the matches' ranges in a and b
// (and their lengths, withLen), then the LCS's length.
func writeLCSMatches(w *Writer, ranges []lcsRange, total uint32, withLen bool) {
	w.Map(2)
	w.BulkString("matches")
	w.Array(len(ranges))
	for _, r := range ranges {
		n := 2
		if withLen {
			n = 3
		}
		w.Array(n)
		w.Array(2)
		w.Int(int64(r.a0))
		w.Int(int64(r.a1))
		w.Array(2)
		w.Int(int64(r.b0))
		w.Int(int64(r.b1))
		if withLen {
			w.Int(int64(r.a1 - r.a0 + 1))
		}
	}
	w.BulkString("len")
	w.Int(int64(total))
}

// lcsTable is the table of LCS lengths: dp[j+(len(b)+1)*i] is the LCS of
// a[:i] and b[:j].
func lcsTable(a, b []byte) []uint32 {
	w := len(b) + 1
	dp := make([]uint32, (len(a)+1)*w)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			if a[i-1] == b[j-1] {
				dp[i*w+j] = dp[(i-1)*w+j-1] + 1
			} else {
				dp[i*w+j] = max(dp[(i-1)*w+j], dp[i*w+j-1])
			}
		}
	}
	return dp
}

// lcsWalk walks the table back from its end, as Redis does: the common
// subsequence, and its contiguous matches (last first) at least minLen long.
func lcsWalk(a, b []byte, dp []uint32, minLen int64) ([]byte, []lcsRange) {
	w := len(b) + 1
	idx := int(dp[len(a)*w+len(b)])
	result := make([]byte, idx)
	var ranges []lcsRange
	alen := len(a)
	as, ae, bs, be := alen, 0, 0, 0 // as == alen: no range in progress
	for i, j := len(a), len(b); i > 0 && j > 0; {
		emit := false
		if a[i-1] == b[j-1] {
			result[idx-1] = a[i-1]
			switch {
			case as == alen:
				as, ae, bs, be = i-1, i-1, j-1, j-1
			case as == i && bs == j:
				as, bs = as-1, bs-1
			default:
				emit = true
			}
			if as == 0 || bs == 0 {
				emit = true
			}
			idx, i, j = idx-1, i-1, j-1
		} else {
			if dp[(i-1)*w+j] > dp[i*w+j-1] {
				i--
			} else {
				j--
			}
			if as != alen {
				emit = true
			}
		}
		if emit {
			if minLen == 0 || int64(ae-as+1) >= minLen {
				ranges = append(ranges, lcsRange{as, ae, bs, be})
			}
			as = alen
		}
	}
	return result, ranges
}
