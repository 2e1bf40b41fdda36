package observatory

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestRootHasNoBudget ensures /tree's root carries no restarts and no budget:
// root is never restarted, and "budget": 0 read as "cannot restart" where
// there is nothing to restart. Every other node keeps both, 0 included.
func TestRootHasNoBudget(t *testing.T) {
	h := newTestHub()
	h.Logger("logger")
	h.Listening("acceptor-127.0.0.1:1", "conns-127.0.0.1:1", "127.0.0.1:1", "echo")
	b, err := json.Marshal(h.Tree())
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(b, &root); err != nil {
		t.Fatal(err)
	}
	if _, ok := root["budget"]; ok {
		t.Errorf("root has a budget: %s", b)
	}
	if _, ok := root["restarts"]; ok {
		t.Errorf("root has restarts: %s", b)
	}
	if root["name"] != "root" || root["age_ms"] == nil {
		t.Errorf("root lost its other fields: %s", b)
	}
	children, _ := root["children"].([]any)
	for _, c := range children {
		c := c.(map[string]any)
		if _, ok := c["budget"]; !ok {
			t.Errorf("%v has no budget: %s", c["name"], b)
		}
	}
	if len(children) != 4 || !strings.Contains(string(b), `"restarts":0`) {
		t.Errorf("root's children: %s", b)
	}
}
