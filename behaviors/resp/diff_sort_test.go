package resp_test

import (
	"strconv"
	"strings"
)

// sortWindowCase is SORT with LIMIT windows on a list long enough for the
// partial sort to partition (more than 16 elements): ties in value with
// other bytes (1, 01, 1.0), duplicates, ties in BY's weights (Redis then
// compares the elements), windows at the start, in the middle, at and past
// the end, negative starts and counts, with DESC, ALPHA, BY, GET and STORE,
// on a list, a set and a sorted set. A window sorted wrongly differs from
// redis-server's. ALPHA BY's weights are all distinct: where they tie,
// Redis's order is its qsort's and is not promised.
func sortWindowCase() string {
	var elems []string
	for i := range 90 {
		v := (i * 37) % 23
		switch i % 5 {
		case 0:
			elems = append(elems, strconv.Itoa(v))
		case 1:
			elems = append(elems, "0"+strconv.Itoa(v))
		case 2:
			elems = append(elems, strconv.Itoa(v)+".0")
		case 3:
			elems = append(elems, "-"+strconv.Itoa(v))
		default:
			elems = append(elems, strconv.Itoa(v)+"."+strconv.Itoa(i))
		}
	}
	var b strings.Builder
	b.WriteString("RPUSH l " + strings.Join(elems, " ") + `\r\n`)
	b.WriteString("SADD s " + strings.Join(elems, " ") + `\r\n`)
	for i, e := range elems {
		b.WriteString("ZADD z " + strconv.Itoa(i%7) + " " + e + `\r\n`)
		b.WriteString("SET w_" + e + " " + strconv.Itoa(i%4) + `\r\n`)
		b.WriteString("SET a_" + e + " k" + e + `\r\n`)
	}
	windows := []string{"0 1", "0 10", "37 9", "85 100", "89 1", "90 5", "1000 1", "-5 3", "60 -1", "5 0", "0 -7"}
	for _, opts := range []string{"", "DESC", "ALPHA", "ALPHA DESC", "BY w_*", "BY w_* DESC GET # GET w_*", "BY a_* ALPHA"} {
		for _, w := range windows {
			b.WriteString("SORT l " + opts + " LIMIT " + w + `\r\n`)
		}
	}
	for _, w := range windows {
		b.WriteString("SORT s LIMIT " + w + `\r\nSORT z DESC ALPHA LIMIT ` + w + `\r\n`)
		b.WriteString("SORT l BY w_* LIMIT " + w + ` STORE dst\r\nLRANGE dst 0 -1\r\n`)
	}
	return b.String()
}
