//go:build race

package actors_test

// holdTestConns is how many connections TestHoldAndShutdown holds. Under -race
// both processes run several times slower and the detector bounds live
// goroutines (8128), so the test holds fewer.
const holdTestConns = 1000
