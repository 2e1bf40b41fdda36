//go:build !linux

package actors

// physicalMemory is unknown here: the default memory budget is then
// fallbackMemoryBudget.
func physicalMemory() int64 { return 0 }
