package resp

// inline parses an inline command, a line of words as telnet sends it, as
// Redis's processInlineBuffer and sdssplitargs do: words split at blanks,
// "double quoted" ones with C escapes (\n, \xHH, ...), 'single quoted' ones
// with \' only; a closing quote must be followed by a blank or the end of
// the line. The line ends at LF (a CR before it is dropped); as Redis looks
// for the LF with strchr, a NUL before it hides it: such a line never ends
// (until it is too long). done is false while the line has not fully
// arrived; an empty line is a command of no words (args nil, done).
func (p *parser) inline() (args [][]byte, done bool, err error) {
	rest := p.buf[p.pos:]
	lf := cIndex(rest, '\n')
	if lf < 0 {
		if len(rest) > inlineMax {
			return nil, false, protoError("too big inline request")
		}
		return nil, false, nil
	}
	line := rest[:lf]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	args, ok := splitArgs(line)
	if !ok {
		return nil, false, protoError("unbalanced quotes in request")
	}
	p.pos += lf + 1
	return args, true, nil
}

// isSpace is C's isspace.
func isSpace(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

// splitArgs is sdssplitargs.
func splitArgs(line []byte) ([][]byte, bool) {
	var args [][]byte
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i >= len(line) || line[i] == 0 { // a C string ends at its NUL
			return args, true
		}
		word, next, ok := splitWord(line, i)
		if !ok {
			return nil, false
		}
		args = append(args, word)
		i = next
	}
}

// splitWord reads the word starting at i; next is past it. A quote, at its
// start or not, opens a quoted part that ends the word (as in
// sdssplitargs, the closing quote must be followed by a blank or the end).
func splitWord(line []byte, i int) (word []byte, next int, ok bool) {
	word = []byte{}
	for ; ; i++ {
		switch c := cAt(line, i); c {
		case ' ', '\n', '\r', '\t', 0:
			if c != 0 {
				i++
			}
			return word, i, true
		case '"':
			return doubleQuoted(line, i+1, word)
		case '\'':
			return singleQuoted(line, i+1, word)
		default:
			word = append(word, c)
		}
	}
}

// doubleQuoted reads the rest of a "double quoted" part from i, just past
// its opening quote, onto word: C escapes (\n, \xHH, ...) stand for their
// bytes. It is not ok if the line ends before the closing quote.
func doubleQuoted(line []byte, i int, word []byte) ([]byte, int, bool) {
	for ; ; i++ {
		c := cAt(line, i)
		switch {
		case c == '\\' && cAt(line, i+1) == 'x' && isHex(cAt(line, i+2)) && isHex(cAt(line, i+3)):
			word = append(word, unhex(cAt(line, i+2))<<4|unhex(cAt(line, i+3)))
			i += 3
		case c == '\\' && cAt(line, i+1) != 0:
			i++
			word = append(word, unescape(line[i]))
		case c == '"':
			return closeQuote(line, i, word)
		case c == 0:
			return nil, 0, false
		default:
			word = append(word, c)
		}
	}
}

// singleQuoted reads the rest of a 'single quoted' part from i, just past
// its opening quote, onto word: only \' is an escape. It is not ok if the
// line ends before the closing quote.
func singleQuoted(line []byte, i int, word []byte) ([]byte, int, bool) {
	for ; ; i++ {
		c := cAt(line, i)
		switch {
		case c == '\\' && cAt(line, i+1) == '\'':
			i++
			word = append(word, '\'')
		case c == '\'':
			return closeQuote(line, i, word)
		case c == 0:
			return nil, 0, false
		default:
			word = append(word, c)
		}
	}
}

// closeQuote ends a quoted word at its closing quote, at i: the word is
// done if a blank or the end of the line follows, and the line is refused
// (not ok) if anything else does, as sdssplitargs refuses it.
func closeQuote(line []byte, i int, word []byte) ([]byte, int, bool) {
	if n := cAt(line, i+1); n != 0 && !isSpace(n) {
		return nil, 0, false
	}
	return word, i + 1, true
}

// cAt is line[j] as line would be read as a C string: 0 past its end, which
// is where sdssplitargs finds the line's end.
func cAt(line []byte, j int) byte {
	if j < len(line) {
		return line[j]
	}
	return 0
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// unescape is the character a backslash escape in double quotes stands for.
func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}
