//go:build race

package resp

// raceEnabled: the race detector is on. sync.Pool then drops a share of what is
// put back on purpose, so allocation counts are not what they are in production.
const raceEnabled = true
