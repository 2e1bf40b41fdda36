package resp

import (
	"math"
	"math/big"
	"time"
)

// blockTimeout parses a blocking command's timeout (seconds) at argument i
// as Redis 7.0's getTimeoutFromObjectOrReply does, and writes its errors:
// the text is a long double (string2ld: "0x10", "1e3" and "inf" are taken),
// its milliseconds are (long long)ceill(seconds * 1000.0), which on x86-64 is
// LLONG_MIN for an infinity or anything past 2**63 ("timeout is negative",
// however large the text). A positive fraction of a millisecond is one
// (BLPOP k 0.0005 times out), and 0, or a negative one above -1 ms, waits for
// ever, as does a deadline past LLONG_MAX ms: Redis 7.0 adds the time
// without a check, and the overflowed deadline never comes.
func blockTimeout(c *Call, i int) (time.Duration, bool) {
	secs, ok := parseLongDouble(c.Args[i])
	if !ok {
		c.W.Error("ERR timeout is not a float or out of range")
		return 0, false
	}
	ms := int64(math.MinInt64)
	if !secs.IsInf() {
		prod := new(big.Float).SetPrec(ldMantBits).Mul(secs, big.NewFloat(1000))
		if prod.Cmp(new(big.Float).SetFloat64(math.Exp2(63))) < 0 {
			var acc big.Accuracy
			ms, acc = prod.Int64() // toward 0; below -2**63 it is MinInt64, as on x87
			if acc == big.Below {  // a positive fraction: ceill's
				ms++
			}
		}
	}
	if ms < 0 {
		c.W.Error("ERR timeout is negative")
		return 0, false
	}
	if ms > int64(math.MaxInt64/time.Millisecond) {
		return 0, true // past 292 years: for ever, as far as anyone will see
	}
	return time.Duration(ms) * time.Millisecond, true
}
