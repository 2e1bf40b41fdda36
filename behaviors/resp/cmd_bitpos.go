package resp

// cmdBitPos is BITPOS key bit [start [end [BYTE|BIT]]], a translation of
// Redis 7.0's: a missing key is all zeros; without an end, clear bits past
// the string count (it is zero-padded); with one, they do not.
func cmdBitPos(c *Call) {
	bit, ok := c.Int(2)
	if !ok {
		return
	}
	if bit != 0 && bit != 1 {
		c.W.Error("ERR The bit argument must be 1 or 0.")
		return
	}
	s, ok := Lookup[*Str](c, c.Args[1])
	if !ok {
		return
	}
	if s == nil {
		c.W.Int(-bit)
		return
	}
	p := s.B
	start, end, endGiven, isBit := int64(0), int64(len(p))-1, false, false
	switch n := len(c.Args); {
	case n == 3:
	case n >= 4 && n <= 6:
		if start, ok = c.Int(3); !ok {
			return
		}
		if n == 6 {
			if isBit, ok = bitUnit(c, 5); !ok {
				return
			}
		}
		total := int64(len(p))
		if n >= 5 {
			if end, ok = c.Int(4); !ok {
				return
			}
			endGiven = true
		} else if isBit {
			end = total<<3 + 7
		}
		if isBit {
			total <<= 3
		}
		start, end = clampRange(start, end, total)
	default:
		c.W.Error(ErrSyntax)
		return
	}
	if start > end {
		c.W.Int(-1)
		return
	}
	c.W.Int(bitpos(p, byte(bit), start, end, isBit, endGiven))
}

// bitpos is the search of BITPOS over p[start..end] (bits if isBit).
func bitpos(p []byte, bit byte, start, end int64, isBit, endGiven bool) int64 {
	var firstMask, lastMask byte
	if isBit {
		firstMask = ^byte((1<<(8-start&7))-1) & 0xFF
		lastMask = byte((1 << (7 - end&7)) - 1)
		start, end = start>>3, end>>3
	}
	nbytes := end - start + 1
	pos := int64(-1)
	done := func() int64 {
		if endGiven && bit == 0 && pos == nbytes<<3 {
			return -1
		}
		if pos != -1 {
			pos += start << 3
		}
		return pos
	}
	masked := func(b byte, mask byte) byte {
		if bit == 1 {
			return b &^ mask
		}
		return b | mask
	}
	if firstMask != 0 {
		t := masked(p[start], firstMask)
		if lastMask != 0 && nbytes == 1 {
			t = masked(t, lastMask)
		}
		pos = firstBit([]byte{t}, bit)
		if nbytes == 1 || pos != -1 && pos != 8 {
			return done()
		}
		start++
		nbytes--
	}
	cur := nbytes
	if lastMask != 0 {
		cur--
	}
	if cur > 0 {
		pos = firstBit(p[start:start+cur], bit)
		if nbytes == cur || pos != -1 && pos != cur<<3 {
			return done()
		}
		start += cur
		nbytes -= cur
	}
	pos = firstBit([]byte{masked(p[end], lastMask)}, bit)
	return done()
}

// firstBit is Redis's redisBitpos: the position of the first bit equal to
// bit, -1 if looking for a 1 that is not there, len*8 for a 0 not there.
func firstBit(p []byte, bit byte) int64 {
	for i, b := range p {
		if bit == 1 && b != 0 || bit == 0 && b != 0xFF {
			for j := 0; j < 8; j++ {
				if (b>>(7-j))&1 == bit {
					return int64(i*8 + j)
				}
			}
		}
	}
	if bit == 1 {
		return -1
	}
	return int64(len(p)) * 8
}

// cmdBitOp is BITOP AND|OR|XOR|NOT destkey key [key ...]: the result is as
// long as the longest source (missing bytes are 0); an empty one deletes
// destkey. It replies the result's length.
func cmdBitOp(c *Call) {
	op := string(lower(nil, c.Args[1]))
	switch op {
	case "and", "or", "xor", "not":
	default:
		c.W.Error(ErrSyntax)
		return
	}
	if op == "not" && len(c.Args) != 4 {
		c.W.Error("ERR BITOP NOT must be called with a single source key.")
		return
	}
	srcs := make([][]byte, 0, len(c.Args)-3)
	maxLen := 0
	for _, k := range c.Args[3:] {
		s, ok := Lookup[*Str](c, k)
		if !ok {
			return
		}
		var b []byte
		if s != nil {
			b = s.B
		}
		srcs = append(srcs, b)
		maxLen = max(maxLen, len(b))
	}
	dst := c.Args[2]
	if maxLen == 0 {
		c.DB.Delete(dst)
		c.W.Int(0)
		return
	}
	res := make([]byte, maxLen)
	for i := range res {
		res[i] = byteAt(srcs[0], i)
		if op == "not" {
			res[i] = ^res[i]
		}
		for _, s := range srcs[1:] {
			switch op {
			case "and":
				res[i] &= byteAt(s, i)
			case "or":
				res[i] |= byteAt(s, i)
			case "xor":
				res[i] ^= byteAt(s, i)
			}
		}
	}
	c.DB.Set(dst, &Str{B: res}, false)
	c.W.Int(int64(maxLen))
}

func byteAt(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}
