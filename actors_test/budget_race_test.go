//go:build race

package actors_test

// slowReaders is how many slow readers TestBudgetThousandSlowReaders runs.
// Under -race the server and its clients run several times slower (1 000
// took a minute here), so the race run holds fewer; the run without it holds
// the 1 000.
const slowReaders = 200
