//go:build !race

package actors_test

// holdTestConns is how many connections TestHoldAndShutdown holds: enough that
// the shutdown drains thousands at once, few enough for any CI's file limit
// (it skips when the hard limit is below this plus a margin).
const holdTestConns = 2000
