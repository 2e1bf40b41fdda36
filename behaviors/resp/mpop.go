package resp

// The numkeys and COUNT parts of LMPOP, BLMPOP, ZMPOP and BZMPOP
// (numkeys key [key ...] <side> [COUNT count]) are parsed here once, so the
// list and sorted-set forms keep Redis's one order of checks and error texts;
// each command parses its own side word (LEFT|RIGHT, MIN|MAX) between them.

// parseMPopNumkeys reads numkeys at argument at and returns the index of the
// side word after the keys, writing Redis's error when numkeys is not a
// positive integer or leaves no room for the keys and the side word.
func parseMPopNumkeys(c *Call, at int) (where int, ok bool) {
	n, ok := parseInt(c.Args[at])
	if !ok || n < 1 {
		c.W.Error("ERR numkeys should be greater than 0")
		return 0, false
	}
	if n >= int64(len(c.Args)-at-1) { // no room for the keys and the side word
		c.W.Error(ErrSyntax)
		return 0, false
	}
	return at + 1 + int(n), true
}

// parseMPopCount reads the optional COUNT count from argument from to the
// end (1 when absent), writing Redis's error for anything else there.
func parseMPopCount(c *Call, from int) (int64, bool) {
	count := int64(-1)
	for j := from; j < len(c.Args); j++ {
		if count != -1 || !equalFold(string(c.Args[j]), "count") || j+1 == len(c.Args) {
			c.W.Error(ErrSyntax)
			return 0, false
		}
		j++
		var ok bool
		if count, ok = parseInt(c.Args[j]); !ok || count < 1 {
			c.W.Error("ERR count should be greater than 0")
			return 0, false
		}
	}
	if count == -1 {
		count = 1
	}
	return count, true
}
