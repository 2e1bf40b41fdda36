package actors_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestHTTPDefaultSiteCurrent ensures the embedded page does not drift from the
// code it describes: its actor tree has root's children as actors/doc.go's
// tree has them, and it names the constructor that serves a handler of one's
// own (web.New; it once named behaviors.HTTP, long gone).
func TestHTTPDefaultSiteCurrent(t *testing.T) {
	s := startHTTP(t, nil)
	_, page := httpGet(t, httpClient(t), "GET", s.url("/"), nil)
	doc, err := os.ReadFile("../actors/doc.go")
	if err != nil {
		t.Fatal(err)
	}
	want := rootChildren(regexp.MustCompile(`(?m)^//\t[├└]── (\S+)`), string(doc))
	got := rootChildren(regexp.MustCompile(`(?m)^[├└]── (\S+)`), page)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("the page's tree has root's children %q; actors/doc.go has %q", got, want)
	}
	if !strings.Contains(page, "web.New") {
		t.Error("the page does not name web.New, the way to serve one's own http.Handler")
	}
}

// rootChildren lists the names the tree lines matched by re give root's
// children.
func rootChildren(re *regexp.Regexp, text string) []string {
	var names []string
	for _, m := range re.FindAllStringSubmatch(text, -1) {
		names = append(names, m[1])
	}
	return names
}
