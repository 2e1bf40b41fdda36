package resp

import (
	"fmt"
	"strings"
	"testing"
)

// FuzzParse ensures the parser reads the same commands and errors whatever
// the reads it is given: the input whole, split in two at every byte, and
// byte by byte. (The seeds are parseCases and testdata/fuzz/FuzzParse.)
func FuzzParse(f *testing.F) {
	for _, tc := range parseCases {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 1024 {
			in = in[:1024] // every split is parsed: keep it quadratic in little
		}
		whole := fmt.Sprint(parseAll(string(in)))
		for i := 1; i < len(in); i++ {
			if got := fmt.Sprint(parseAll(string(in[:i]), string(in[i:]))); got != whole {
				t.Fatalf("parse(%q | %q) = %s; whole: %s", in[:i], in[i:], got, whole)
			}
		}
		if got := fmt.Sprint(parseAll(strings.Split(string(in), "")...)); got != whole {
			t.Fatalf("parse(%q byte by byte) = %s; whole: %s", in, got, whole)
		}
	})
}
