package resp

import (
	"math/bits"
	"strings"
)

// bitmapCommands are the bitmap group's but BITFIELD (cmd_bitfield.go).
var bitmapCommands = []Command{
	{Name: "setbit", Arity: 4, Flags: Write | DenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Group: "bitmap",
		Run: cmdSetBit, Summary: "Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist."},
	{Name: "getbit", Arity: 3, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "bitmap",
		Run: cmdGetBit, Summary: "Returns a bit value by offset."},
	{Name: "bitcount", Arity: -2, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Group: "bitmap",
		Run: cmdBitCount, Summary: "Counts the number of set bits (population counting) in a string."},
	{Name: "bitpos", Arity: -3, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Group: "bitmap",
		Run: cmdBitPos, Summary: "Finds the first set (1) or clear (0) bit in a string."},
	{Name: "bitop", Arity: -4, Flags: Write | DenyOOM, FirstKey: 2, LastKey: -1, Step: 1, Group: "bitmap",
		Run: cmdBitOp, Summary: "Performs bitwise operations on multiple strings, and stores the result."},
}

const errBitOffset = "ERR bit offset is not an integer or out of range"

// bitOffset reads argument i as a bit offset within proto-max-bulk-len.
func (c *Call) bitOffset(i int) (int64, bool) {
	n, ok := parseInt(c.Args[i])
	return c.offsetInRange(n, ok)
}

// offsetInRange passes n, a bit offset read (ok) from an argument, if it
// falls within proto-max-bulk-len; else it writes the error.
func (c *Call) offsetInRange(n int64, ok bool) (int64, bool) {
	if !ok || n < 0 || n>>3 >= c.Store.cfg.maxBulkLen.Load() {
		c.W.Error(errBitOffset)
		return 0, false
	}
	return n, true
}

// bitString is the string s at key (nil: none yet) made long enough to hold
// bit, the key set to a new one if missing: Redis's
// lookupStringForBitCommand, for SETBIT and BITFIELD's writes.
func (c *Call) bitString(key []byte, s *Str, bit int64) *Str {
	if s == nil {
		s = &Str{}
		c.DB.Set(key, s, false)
	}
	if need := int(bit>>3) + 1; need > len(s.B) {
		s.B = append(s.B, make([]byte, need-len(s.B))...)
	}
	return s
}

func cmdSetBit(c *Call) {
	off, ok := c.bitOffset(2)
	if !ok {
		return
	}
	on, ok := parseInt(c.Args[3])
	if !ok || on&^1 != 0 {
		c.W.Error("ERR bit is not an integer or out of range")
		return
	}
	key := c.Args[1]
	s, ok := Lookup[*Str](c, key)
	if !ok {
		return
	}
	s = c.bitString(key, s, off)
	mask := byte(1) << (7 - off&7)
	old := s.B[off>>3]&mask != 0
	if on == 1 {
		s.B[off>>3] |= mask
	} else {
		s.B[off>>3] &^= mask
	}
	c.DB.Changed(key)
	c.W.Bool01(old)
}

// Bool01 writes :1 or :0 (an integer in both protocols).
func (w *Writer) Bool01(b bool) {
	if b {
		w.Int(1)
	} else {
		w.Int(0)
	}
}

func cmdGetBit(c *Call) {
	off, ok := c.bitOffset(2)
	if !ok {
		return
	}
	s, ok := Lookup[*Str](c, c.Args[1])
	if !ok {
		return
	}
	c.W.Bool01(s != nil && int(off>>3) < len(s.B) && s.B[off>>3]&(1<<(7-off&7)) != 0)
}

// bitUnit reads BYTE or BIT; true for BIT.
func bitUnit(c *Call, i int) (isBit, ok bool) {
	switch strings.ToLower(string(c.Args[i])) {
	case "bit":
		return true, true
	case "byte":
		return false, true
	}
	c.W.Error(ErrSyntax)
	return false, false
}

// cmdBitCount is BITCOUNT key [start end [BYTE|BIT]], as Redis 7.0: the key
// is looked up first, so a missing one answers 0 whatever the arguments.
func cmdBitCount(c *Call) {
	s, ok := Lookup[*Str](c, c.Args[1])
	if !ok {
		return
	}
	if s == nil {
		c.W.Int(0)
		return
	}
	p := s.B
	var start, end int64
	var firstMask, lastMask byte
	switch len(c.Args) {
	case 2:
		start, end = 0, int64(len(p))-1
	case 4, 5:
		if start, ok = c.Int(2); !ok {
			return
		}
		if end, ok = c.Int(3); !ok {
			return
		}
		if start < 0 && end < 0 && start > end {
			c.W.Int(0)
			return
		}
		isBit := false
		if len(c.Args) == 5 {
			if isBit, ok = bitUnit(c, 4); !ok {
				return
			}
		}
		total := int64(len(p))
		if isBit {
			total <<= 3
		}
		start, end = clampRange(start, end, total)
		if isBit && start <= end {
			firstMask = ^byte((1<<(8-start&7))-1) & 0xFF
			lastMask = byte((1 << (7 - end&7)) - 1)
			start, end = start>>3, end>>3
		}
	default:
		c.W.Error(ErrSyntax)
		return
	}
	if start > end {
		c.W.Int(0)
		return
	}
	n := popcount(p[start : end+1])
	n -= int64(bits.OnesCount8(p[start]&firstMask) + bits.OnesCount8(p[end]&lastMask))
	c.W.Int(n)
}

// clampRange turns negative indexes into ones from the end and clamps both
// into [0, total-1], as Redis's bit commands do (end may end below start).
func clampRange(start, end, total int64) (int64, int64) {
	if start < 0 {
		start += total
	}
	if end < 0 {
		end += total
	}
	start, end = max(start, 0), max(end, 0)
	if end >= total {
		end = total - 1
	}
	return start, end
}

func popcount(p []byte) int64 {
	n := 0
	for _, b := range p {
		n += bits.OnesCount8(b)
	}
	return int64(n)
}
