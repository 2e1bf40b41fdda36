package resp

// Temporary stand-ins for the core's definitions (the skeleton); removed
// when this branch is rebased onto it.

type Value interface {
	Type() string
	Encoding() string
}

func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 || (len(b) > 1 && b[0] == '0') || b[0] == '+' || (len(b) > 1 && b[0] == '-' && b[1] == '0') {
		return 0, false
	}
	var n int64
	_, err := fmtSscan(string(b), &n)
	return n, err == nil
}
