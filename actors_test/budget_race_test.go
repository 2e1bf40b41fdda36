//go:build race

package actors_test

// slowReaders is how many slow readers TestBudgetThousandSlowReaders runs.
// Under -race the server and its clients run several times slower (1 000
// took a minute here), so the race run holds fewer; the run without it holds
// the 1 000.
const slowReaders = 200

// heapPerConn is how much the Go heap may grow a connection, over the
// budget, in TestBudgetHTTPThousandBodies. Under -race the same run grew
// 9.7-10.8 KiB a connection over what the connections held here, and 13.4
// in a CI run beside the other packages' tests (8 without -race); a reader
// that kept its 16 KiB buffer while paused grew 21 without -race.
const heapPerConn = 16 << 10
