package resp

import "math"

// bitfieldCommands are BITFIELD and its read-only form, the bitmap group's
// last two: integers of 1 to 64 bits (unsigned: 63) at any bit offset of a
// string, read, set and incremented in one command, as Redis 7.0's
// bitfieldGeneric.
var bitfieldCommands = []Command{
	{Name: "bitfield", Arity: -2, Flags: Write | DenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Group: "bitmap",
		Run: cmdBitField, Summary: "Performs arbitrary bitfield integer operations on strings."},
	{Name: "bitfield_ro", Arity: -2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "bitmap",
		Run: cmdBitFieldRO, Summary: "Performs arbitrary read-only bitfield integer operations on strings."},
}

// The errors of BITFIELD's arguments, Redis 7.0's texts.
const (
	errBitfieldType     = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
	errBitfieldOverflow = "ERR Invalid OVERFLOW type specified"
	errBitfieldRO       = "ERR BITFIELD_RO only supports the GET subcommand"
)

// overflow is what SET and INCRBY do with a value past the field's range.
type overflow uint8

const (
	overflowWrap overflow = iota // keep the low bits (two's complement)
	overflowSat                  // stop at the range's end
	overflowFail                 // write nothing and answer nil
)

// fieldOpcode is what a BITFIELD operation does.
type fieldOpcode uint8

const (
	fieldGet fieldOpcode = iota
	fieldSet
	fieldIncrBy
)

// fieldOp is one GET, SET or INCRBY of a BITFIELD.
type fieldOp struct {
	op     fieldOpcode
	signed bool
	bits   uint
	offset uint64
	value  int64 // SET's value, INCRBY's increment
	ow     overflow
}

func cmdBitField(c *Call)   { bitField(c, false) }
func cmdBitFieldRO(c *Call) { bitField(c, true) }

// bitField parses every operation first (any bad argument is the reply,
// and nothing runs), then runs them in order, one reply each. A command
// with a SET or INCRBY makes the string long enough for its furthest field
// before any runs, even if every write then fails (OVERFLOW FAIL), as
// Redis does.
func bitField(c *Call, readOnly bool) {
	ops, highest, ok := parseFieldOps(c)
	if !ok {
		return
	}
	writes := highest >= 0
	if writes && readOnly {
		c.W.Error(errBitfieldRO)
		return
	}
	s, ok := Lookup[*Str](c, c.Args[1])
	if !ok {
		return
	}
	if writes {
		s = c.bitString(c.Args[1], s, highest)
	}
	c.W.Array(len(ops))
	for i := range ops {
		runFieldOp(c.W, s, &ops[i])
	}
	if writes {
		c.DB.Changed(c.Args[1])
	}
}

// parseFieldOps reads the operations after the key; highest is the last bit
// a SET or INCRBY touches, -1 if there is none.
func parseFieldOps(c *Call) (ops []fieldOp, highest int64, ok bool) {
	highest = -1
	ow := overflowWrap
	for j := 2; j < len(c.Args); {
		left, word := len(c.Args)-j-1, c.Args[j]
		f := fieldOp{ow: ow}
		switch {
		case argIs(word, "overflow") && left >= 1:
			if ow, ok = parseOverflow(c.Args[j+1]); !ok {
				c.W.Error(errBitfieldOverflow)
				return nil, 0, false
			}
			j += 2
			continue
		case argIs(word, "get") && left >= 2:
			f.op = fieldGet
		case argIs(word, "set") && left >= 3:
			f.op = fieldSet
		case argIs(word, "incrby") && left >= 3:
			f.op = fieldIncrBy
		default:
			c.W.Error(ErrSyntax)
			return nil, 0, false
		}
		if f.signed, f.bits, ok = parseFieldType(c.Args[j+1]); !ok {
			c.W.Error(errBitfieldType)
			return nil, 0, false
		}
		if f.offset, ok = c.fieldOffset(j+2, f.bits); !ok {
			return nil, 0, false
		}
		j += 3
		if f.op != fieldGet {
			highest = max(highest, int64(f.offset+uint64(f.bits)-1))
			if f.value, ok = c.Int(j); !ok {
				return nil, 0, false
			}
			j++
		}
		ops = append(ops, f)
	}
	return ops, highest, true
}

func parseOverflow(p []byte) (overflow, bool) {
	switch {
	case argIs(p, "wrap"):
		return overflowWrap, true
	case argIs(p, "sat"):
		return overflowSat, true
	case argIs(p, "fail"):
		return overflowFail, true
	}
	return 0, false
}

// parseFieldType reads a field's type: i1 to i64, u1 to u63.
func parseFieldType(p []byte) (signed bool, bits uint, ok bool) {
	if len(p) < 2 || (p[0] != 'i' && p[0] != 'u') {
		return false, 0, false
	}
	n, ok := parseInt(p[1:])
	signed = p[0] == 'i'
	if !ok || n < 1 || (signed && n > 64) || (!signed && n > 63) {
		return false, 0, false
	}
	return signed, uint(n), true
}

// fieldOffset reads argument i as a field's bit offset: a number of bits,
// or #n, n fields of bits each; the field must start within
// proto-max-bulk-len.
func (c *Call) fieldOffset(i int, bits uint) (uint64, bool) {
	p, fields := c.Args[i], false
	if len(p) > 0 && p[0] == '#' {
		p, fields = p[1:], true
	}
	n, ok := parseInt(p)
	if fields {
		n *= int64(bits) // wrapping past int64 as Redis's does: #-9223372036854775808 of i64 is bit 0
	}
	n, ok = c.offsetInRange(n, ok)
	return uint64(n), ok
}

// runFieldOp runs f on s (nil: no such key, for a GET) and writes its reply:
// the field's value for a GET, its old value for a SET, its new one for an
// INCRBY, nil for a write that OVERFLOW FAIL refused.
func runFieldOp(w *Writer, s *Str, f *fieldOp) {
	var b []byte
	if s != nil {
		b = s.B
	}
	old := getField(b, f.offset, f.bits)
	if f.op == fieldGet {
		w.Int(f.asInt(old))
		return
	}
	next, reply, over := f.apply(old)
	if over && f.ow == overflowFail {
		w.Null()
		return
	}
	setField(b, f.offset, f.bits, next)
	w.Int(f.asInt(reply))
}

// asInt is raw, the field's bits, as the integer the field holds.
func (f *fieldOp) asInt(raw uint64) int64 {
	if f.signed && f.bits < 64 && raw&(1<<(f.bits-1)) != 0 {
		raw |= math.MaxUint64 << f.bits // the sign, extended
	}
	return int64(raw)
}

// apply works out a SET or INCRBY on a field holding old (its bits): the
// bits to store, the value to answer, and whether the result overflowed.
func (f *fieldOp) apply(old uint64) (next, reply uint64, over bool) {
	value, incr := f.value, int64(0)
	if f.op == fieldIncrBy {
		value, incr = f.asInt(old), f.value
	}
	var res int64
	if f.signed {
		res, over = signedOverflow(value, incr, f.bits, f.ow)
	} else {
		var u uint64
		u, over = unsignedOverflow(uint64(value), incr, f.bits, f.ow)
		res = int64(u)
	}
	if !over {
		res = value + incr
	}
	next = uint64(res) & fieldMask(f.bits)
	if f.op == fieldIncrBy {
		return next, uint64(res), over
	}
	return next, old, over
}

// fieldMask has the low bits bits set.
func fieldMask(bits uint) uint64 {
	if bits == 64 {
		return math.MaxUint64
	}
	return 1<<bits - 1
}

// signedOverflow is Redis's checkSignedBitfieldOverflow: whether value+incr
// leaves a signed field of bits, and then the result ow makes of it.
func signedOverflow(value, incr int64, bits uint, ow overflow) (int64, bool) {
	fmax := int64(math.MaxInt64)
	if bits < 64 {
		fmax = 1<<(bits-1) - 1
	}
	fmin := -fmax - 1
	maxIncr := int64(uint64(fmax) - uint64(value)) // may wrap; used only once value is in range
	minIncr := fmin - value
	var limit int64
	switch {
	case value > fmax || (bits != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr):
		limit = fmax
	case value < fmin || (bits != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr):
		limit = fmin
	default:
		return 0, false
	}
	if ow != overflowWrap {
		return limit, true
	}
	c := uint64(value) + uint64(incr)
	if bits < 64 {
		if c&(1<<(bits-1)) != 0 {
			c |= math.MaxUint64 << bits
		} else {
			c &^= math.MaxUint64 << bits
		}
	}
	return int64(c), true
}

// unsignedOverflow is Redis's checkUnsignedBitfieldOverflow, for a field of
// at most 63 bits.
func unsignedOverflow(value uint64, incr int64, bits uint, ow overflow) (uint64, bool) {
	fmax := fieldMask(bits)
	maxIncr := int64(fmax - value)
	minIncr := -int64(value)
	var limit uint64
	switch {
	case value > fmax || (incr > 0 && incr > maxIncr):
		limit = fmax
	case incr < 0 && incr < minIncr:
		limit = 0
	default:
		return 0, false
	}
	if ow != overflowWrap {
		return limit, true
	}
	return (value + uint64(incr)) & fmax, true
}

// getField reads the bits bits at bit offset of p (most significant
// first), past p's end as zeros.
func getField(p []byte, offset uint64, bits uint) uint64 {
	var v uint64
	for j := range uint64(bits) {
		o := offset + j
		var bit uint64
		if o>>3 < uint64(len(p)) {
			bit = uint64(p[o>>3]>>(7-o&7)) & 1
		}
		v = v<<1 | bit
	}
	return v
}

// setField writes the low bits bits of v at bit offset of p, which is long
// enough.
func setField(p []byte, offset uint64, bits uint, v uint64) {
	for j := range uint64(bits) {
		o := offset + j
		mask := byte(1) << (7 - o&7)
		if v>>(uint64(bits)-1-j)&1 != 0 {
			p[o>>3] |= mask
		} else {
			p[o>>3] &^= mask
		}
	}
}
