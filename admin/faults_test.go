package admin

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestFaultBodyErrors ensures each kind of bad POST /faults body gets the
// reason that fits it: a second JSON value is one, whatever its fields (it
// read "unknown field" when it had any), a stall out of bounds is worded
// the same above the bound as at 0 or below, and a field named in another
// case or given twice is refused (encoding/json took "TARGET" for "target",
// and the last of two targets).
func TestFaultBodyErrors(t *testing.T) {
	for body, want := range map[string]string{
		`{"target":"conn-1","category":"Internal"}{"x":1}`:            "more than one JSON value",
		`{"target":"conn-1","category":"Internal"} 7`:                 "more than one JSON value",
		`{"target":"conn-1","x":1}`:                                   `unknown field "x"`,
		`{"TARGET":"conn-1","category":"Internal"}`:                   `unknown field "TARGET"`,
		`{"target":"logger","category":"Internal","Target":"conn-1"}`: `unknown field "Target"`,
		`{"target":"logger","category":"Internal","target":"conn-1"}`: `field "target" given twice`,
		`{"target":"conn-1","category":7}`:                            `field "category"`,
		`["target","conn-1"]`:                                         "not a JSON object",
		`{"target":"conn-1","stall":"31s"}`:                           `stall "31s": want a positive duration such as "2s", at most 30s`,
		`{"target":"conn-1","stall":"0s"}`:                            `stall "0s": want a positive duration such as "2s", at most 30s`,
		`{"target":"conn-1","stall":"abc"}`:                           `stall "abc": want a positive duration such as "2s", at most 30s`,
	} {
		r := httptest.NewRequest(http.MethodPost, "/faults", strings.NewReader(body))
		req, code, err := decodeFault(httptest.NewRecorder(), r)
		if err == nil {
			_, err = req.fault()
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %d %v; want an error containing %q", body, code, err, want)
		}
	}
	req := faultRequest{Target: "conn-1", Stall: "30s"}
	if f, err := req.fault(); err != nil || f.Stall.String() != "30s" {
		t.Errorf("stall 30s: %+v, %v; want it taken", f, err)
	}
}
