package cluster

import (
	"testing"
	"time"
)

// TestLineBudget ensures the guard's lines are bounded per period over the
// node, and that the first line of the next period says how many were not
// logged.
func TestLineBudget(t *testing.T) {
	var b lineBudget
	t0 := time.Unix(1000, 0)
	for i := range budgetLines {
		if ok, unlogged := b.take(t0.Add(time.Duration(i) * time.Millisecond)); !ok || unlogged != 0 {
			t.Fatalf("line %d: %v, %d unlogged; want logged", i+1, ok, unlogged)
		}
	}
	for range 3 {
		if ok, _ := b.take(t0.Add(budgetEvery - time.Nanosecond)); ok {
			t.Fatal("a line past the budget was logged")
		}
	}
	if ok, unlogged := b.take(t0.Add(budgetEvery)); !ok || unlogged != 3 {
		t.Errorf("the next period's first line: %v, %d unlogged; want logged, saying 3", ok, unlogged)
	}
}
