package resp

// SET's and GETEX's options, as Redis 7.0's parseExtendedStringArgumentsOrReply
// reads them (each option excludes the ones it cannot go with; a repeated
// EX is taken, the last one winning, as Redis takes it).
const (
	setNX = 1 << iota
	setXX
	setGet
	setKeepTTL
	setPersist
	setEX
	setPX
	setEXAT
	setPXAT
)

const setExpiries = setEX | setPX | setEXAT | setPXAT

// parseSetOptions reads the options from argument from on; forGet is GETEX.
// It returns the flags and the index of the expiry's argument (0: none).
func parseSetOptions(c *Call, from int, forGet bool) (flags, expIdx int, ok bool) {
	for j := from; j < len(c.Args); j++ {
		opt, next := c.Args[j], j+1 < len(c.Args)
		switch {
		case !forGet && argIs(opt, "nx") && flags&setXX == 0:
			flags |= setNX
		case !forGet && argIs(opt, "xx") && flags&setNX == 0:
			flags |= setXX
		case !forGet && argIs(opt, "get"):
			flags |= setGet
		case !forGet && argIs(opt, "keepttl") && flags&(setPersist|setExpiries) == 0:
			flags |= setKeepTTL
		case forGet && argIs(opt, "persist") && flags&(setExpiries|setKeepTTL) == 0:
			flags |= setPersist
		case argIs(opt, "ex") && next && flags&(setKeepTTL|setPersist|setEXAT|setPX|setPXAT) == 0:
			flags, expIdx = flags|setEX, j+1
			j++
		case argIs(opt, "px") && next && flags&(setKeepTTL|setPersist|setEX|setEXAT|setPXAT) == 0:
			flags, expIdx = flags|setPX, j+1
			j++
		case argIs(opt, "exat") && next && flags&(setKeepTTL|setPersist|setEX|setPX|setPXAT) == 0:
			flags, expIdx = flags|setEXAT, j+1
			j++
		case argIs(opt, "pxat") && next && flags&(setKeepTTL|setPersist|setEX|setEXAT|setPX) == 0:
			flags, expIdx = flags|setPXAT, j+1
			j++
		default:
			c.W.Error(ErrSyntax)
			return 0, 0, false
		}
	}
	return flags, expIdx, true
}

// optionExpiry turns the expiry option's argument into Unix ms.
func optionExpiry(c *Call, flags, idx int) (int64, bool) {
	return expireAt(c, idx, flags&(setEX|setEXAT) != 0, flags&(setEX|setPX) != 0)
}

// cmdSet is SET key value [NX|XX] [GET] [EX s|PX ms|EXAT t|PXAT t|KEEPTTL].
func cmdSet(c *Call) {
	flags, expIdx, ok := 0, 0, true
	if len(c.Args) > 3 {
		if flags, expIdx, ok = parseSetOptions(c, 3, false); !ok {
			return
		}
	}
	var at int64
	if expIdx > 0 {
		if at, ok = optionExpiry(c, flags, expIdx); !ok {
			return
		}
	}
	key := c.Args[1]
	if flags&setGet != 0 {
		if _, ok := replyStr(c, key); !ok {
			return
		}
	}
	if flags&(setNX|setXX) != 0 {
		found := c.DB.Get(key) != nil
		if flags&setNX != 0 && found || flags&setXX != 0 && !found {
			if flags&setGet == 0 {
				c.W.Null()
			}
			return
		}
	}
	c.DB.SetStr(key, c.Args[2], flags&setKeepTTL != 0)
	if expIdx > 0 {
		c.DB.Expire(key, at)
	}
	if flags&setGet == 0 {
		c.W.OK()
	}
}

// cmdGetEx is GETEX key [EX s|PX ms|EXAT t|PXAT t|PERSIST].
func cmdGetEx(c *Call) {
	flags, expIdx, ok := parseSetOptions(c, 2, true)
	if !ok {
		return
	}
	key := c.Args[1]
	s, ok := Lookup[*Str](c, key)
	if !ok {
		return
	}
	if s == nil {
		c.W.Null()
		return
	}
	var at int64
	if expIdx > 0 {
		if at, ok = optionExpiry(c, flags, expIdx); !ok {
			return
		}
	}
	c.W.Bulk(s.B)
	switch {
	case flags&(setEXAT|setPXAT) != 0 && at <= c.Now():
		c.DB.Delete(key)
	case expIdx > 0:
		c.DB.Expire(key, at)
		c.DB.Changed(key)
	case flags&setPersist != 0:
		if c.DB.Persist(key) {
			c.DB.Changed(key)
		}
	}
}
