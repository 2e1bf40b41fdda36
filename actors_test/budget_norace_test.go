//go:build !race

package actors_test

// slowReaders is how many slow readers TestBudgetThousandSlowReaders runs:
// the 1 000 (about 6 s on 2 cores).
const slowReaders = 1000
