package resp

import "strconv"

func fmtSscan(s string, n *int64) (int, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	*n = v
	return 1, err
}
