//go:build !race

package actors_test

// slowReaders is how many slow readers TestBudgetThousandSlowReaders runs:
// the 1 000 (about 6 s on 2 cores).
const slowReaders = 1000

// heapPerConn is how much the Go heap may grow a connection, over the
// budget, in TestBudgetHTTPThousandBodies: measured 4.7-8 KiB a connection
// over what the connections held; 21 while a paused reader kept its 16 KiB
// read buffer.
const heapPerConn = 12 << 10
