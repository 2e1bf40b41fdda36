package resp

import (
	"math"
	"math/big"
	"strconv"
)

// hashCommands are the hash group's, as Redis 7.0 has them (COMMAND INFO's
// arity, flags and keys; COMMAND DOCS's summaries). The value type is Hash
// (hash_value.go); HRANDFIELD and HSCAN are in cmd_hash_scan.go.
var hashCommands = []Command{
	hashCmd("hset", -4, Write|DenyOOM|Fast, cmdHSet, "Set the string value of a hash field"),
	hashCmd("hsetnx", 4, Write|DenyOOM|Fast, cmdHSetNX, "Set the value of a hash field, only if the field does not exist"),
	hashCmd("hmset", -4, Write|DenyOOM|Fast, cmdHSet, "Set multiple hash fields to multiple values"),
	hashCmd("hget", 3, ReadOnly|Fast, cmdHGet, "Get the value of a hash field"),
	hashCmd("hmget", -3, ReadOnly|Fast, cmdHMGet, "Get the values of all the given hash fields"),
	hashCmd("hdel", -3, Write|Fast, cmdHDel, "Delete one or more hash fields"),
	hashCmd("hlen", 2, ReadOnly|Fast, cmdHLen, "Get the number of fields in a hash"),
	hashCmd("hstrlen", 3, ReadOnly|Fast, cmdHStrLen, "Get the length of the value of a hash field"),
	hashCmd("hexists", 3, ReadOnly|Fast, cmdHExists, "Determine if a hash field exists"),
	hashCmd("hkeys", 2, ReadOnly, cmdHKeys, "Get all the fields in a hash"),
	hashCmd("hvals", 2, ReadOnly, cmdHVals, "Get all the values in a hash"),
	hashCmd("hgetall", 2, ReadOnly, cmdHGetAll, "Get all the fields and values in a hash"),
	hashCmd("hincrby", 4, Write|DenyOOM|Fast, cmdHIncrBy, "Increment the integer value of a hash field by the given number"),
	hashCmd("hincrbyfloat", 4, Write|DenyOOM|Fast, cmdHIncrByFloat, "Increment the float value of a hash field by the given amount"),
	hashCmd("hrandfield", -2, ReadOnly, cmdHRandField, "Get one or multiple random fields from a hash"),
	hashCmd("hscan", -3, ReadOnly, cmdHScan, "Incrementally iterate hash fields and associated values"),
}

// hashCmd is a table entry of a hash command: one key, the first argument.
func hashCmd(name string, arity int, flags Flag, run Handler, summary string) Command {
	return Command{Name: name, Arity: arity, Flags: flags, FirstKey: 1, LastKey: 1, Step: 1,
		Group: "hash", Summary: summary, Run: run}
}

// hashForWrite returns the hash at key for a command that may add to it: a
// new, empty one (not yet in the database: store it with saveHash) when the
// key does not exist. ok is false after a WRONGTYPE reply.
func hashForWrite(c *Call, key []byte) (h *Hash, isNew, ok bool) {
	h, ok = Lookup[*Hash](c, key)
	if !ok {
		return nil, false, false
	}
	if h == nil {
		return newHash(), true, true
	}
	return h, false, true
}

// saveHash records a write to h: a new hash is added to the database if it
// has fields; an existing one is marked changed, or deleted if it has none
// left (Redis keeps no empty hash).
func saveHash(c *Call, key []byte, h *Hash, isNew bool) {
	switch {
	case isNew && h.Len() > 0:
		c.DB.Set(key, h, false)
	case isNew:
	case h.Len() == 0:
		c.DB.Delete(key)
	default:
		c.DB.Changed(key)
	}
}

// cmdHSet is HSET (replies the number of fields added) and HMSET (+OK).
func cmdHSet(c *Call) {
	if len(c.Args)%2 != 0 {
		c.ArityError()
		return
	}
	h, isNew, ok := hashForWrite(c, c.Args[1])
	if !ok {
		return
	}
	added := 0
	for i := 2; i < len(c.Args); i += 2 {
		if h.Put(c.Args[i], c.Args[i+1]) {
			added++
		}
	}
	saveHash(c, c.Args[1], h, isNew)
	if c.Name() == "hmset" {
		c.W.OK()
		return
	}
	c.W.Int(int64(added))
}

func cmdHSetNX(c *Call) {
	h, isNew, ok := hashForWrite(c, c.Args[1])
	if !ok {
		return
	}
	if _, exists := h.Get(c.Args[2]); exists {
		c.W.Int(0)
		return
	}
	h.Set(c.Args[2], clone(c.Args[3]))
	saveHash(c, c.Args[1], h, isNew)
	c.W.Int(1)
}

func cmdHGet(c *Call) {
	h, ok := Lookup[*Hash](c, c.Args[1])
	if !ok {
		return
	}
	writeField(c.W, h, c.Args[2])
}

// writeField replies field f's value, or the null when the field or the
// whole hash (h nil) is missing: HGET's reply, and each of HMGET's.
func writeField(w *Writer, h *Hash, f []byte) {
	if h != nil {
		if v, found := h.Get(f); found {
			w.Bulk(v)
			return
		}
	}
	w.Null()
}

func cmdHMGet(c *Call) {
	h, ok := Lookup[*Hash](c, c.Args[1])
	if !ok {
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, f := range c.Args[2:] {
		writeField(c.W, h, f)
	}
}

func cmdHDel(c *Call) {
	h, ok := Lookup[*Hash](c, c.Args[1])
	if !ok {
		return
	}
	if h == nil {
		c.W.Int(0)
		return
	}
	deleted := 0
	for _, f := range c.Args[2:] {
		if h.Delete(f) {
			deleted++
			if h.Len() == 0 {
				break // Redis stops at the last field: the key is gone
			}
		}
	}
	if deleted > 0 {
		saveHash(c, c.Args[1], h, false)
	}
	c.W.Int(int64(deleted))
}

func cmdHLen(c *Call) {
	h, ok := Lookup[*Hash](c, c.Args[1])
	if !ok {
		return
	}
	if h == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(h.Len()))
}

func cmdHStrLen(c *Call) {
	h, ok := Lookup[*Hash](c, c.Args[1])
	if !ok {
		return
	}
	n := 0
	if h != nil {
		v, _ := h.Get(c.Args[2])
		n = len(v)
	}
	c.W.Int(int64(n))
}

func cmdHExists(c *Call) {
	h, ok := Lookup[*Hash](c, c.Args[1])
	if !ok {
		return
	}
	found := false
	if h != nil {
		_, found = h.Get(c.Args[2])
	}
	c.W.Int(b2i(found))
}

func cmdHKeys(c *Call) { hashAll(c, true, false) }

func cmdHVals(c *Call) { hashAll(c, false, true) }

func cmdHGetAll(c *Call) { hashAll(c, true, true) }

// hashAll writes a hash's fields, values, or both (a map in RESP3, as
// HGETALL's is; a flat array in RESP2), in the hash's order.
func hashAll(c *Call, fields, values bool) {
	h, ok := Lookup[*Hash](c, c.Args[1])
	if !ok {
		return
	}
	n := 0
	if h != nil {
		n = h.Len()
	}
	if fields && values {
		c.W.Map(n)
	} else {
		c.W.Array(n)
	}
	if h == nil {
		return
	}
	h.Each(func(f string, v []byte) {
		if fields {
			c.W.BulkString(f)
		}
		if values {
			c.W.Bulk(v)
		}
	})
}

// cmdHIncrBy follows Redis's order: the increment is parsed before the key
// is looked at, and a field that holds no integer is an error of its own.
func cmdHIncrBy(c *Call) {
	incr, ok := c.Int(3)
	if !ok {
		return
	}
	h, isNew, ok := hashForWrite(c, c.Args[1])
	if !ok {
		return
	}
	var cur int64
	if v, found := h.Get(c.Args[2]); found {
		if cur, ok = parseInt(v); !ok {
			c.W.Error("ERR hash value is not an integer")
			return
		}
	}
	if (incr < 0 && cur < 0 && incr < math.MinInt64-cur) ||
		(incr > 0 && cur > 0 && incr > math.MaxInt64-cur) {
		c.W.Error(ErrOverflow)
		return
	}
	cur += incr
	h.Set(c.Args[2], strconv.AppendInt(nil, cur, 10))
	saveHash(c, c.Args[1], h, isNew)
	c.W.Int(cur)
}

// cmdHIncrByFloat adds in long double arithmetic, as Redis does
// (longdouble.go), and stores and replies the sum as Redis prints it.
func cmdHIncrByFloat(c *Call) {
	incr, ok := parseLongDouble(c.Args[3])
	if !ok {
		c.W.Error(ErrNotFloat)
		return
	}
	if incr.IsInf() {
		c.W.Error("ERR value is NaN or Infinity")
		return
	}
	h, isNew, ok := hashForWrite(c, c.Args[1])
	if !ok {
		return
	}
	cur := new(big.Float) // a missing field counts as 0
	if v, found := h.Get(c.Args[2]); found {
		if cur, ok = parseLongDouble(v); !ok {
			c.W.Error("ERR hash value is not a float")
			return
		}
	}
	sum, ok := addLongDouble(cur, incr)
	if !ok {
		c.W.Error("ERR increment would produce NaN or Infinity")
		return
	}
	text := appendLongDouble(nil, sum)
	h.Set(c.Args[2], text)
	saveHash(c, c.Args[1], h, isNew)
	c.W.Bulk(text)
}
