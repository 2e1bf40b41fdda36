package testkit_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeAddingABehavior ensures the README's "Adding a behavior" works as
// written: its upper behavior, its registry line and its test are put into
// package behaviors (by go's -overlay: no file of the tree changes), and the
// test passes.
func TestReadmeAddingABehavior(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs another test binary")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	section := readmeSection(t, filepath.Join(root, "README.md"), "### Adding a behavior")
	behavior := goBlock(t, section, "package behaviors\n")
	test := goBlock(t, section, "package behaviors_test\n")
	line := regexp.MustCompile("register it as `([^`]+)`").FindStringSubmatch(section)
	if line == nil {
		t.Fatal("README: no registry line (register it as `...`) in the section")
	}
	registry := filepath.Join(root, "behaviors", "behaviors.go")
	src, err := os.ReadFile(registry)
	if err != nil {
		t.Fatal(err)
	}
	const anchor = "var registry = map[string]constructor{\n"
	if !strings.Contains(string(src), anchor) {
		t.Fatalf("%s: no %q to add the README's line to", registry, anchor)
	}
	registered := strings.Replace(string(src), anchor, anchor+"\t"+line[1]+"\n", 1)

	dir := t.TempDir()
	overlay := map[string]string{}
	for name, text := range map[string]string{"upper.go": behavior, "upper_test.go": test, "behaviors.go": registered} {
		tmp := filepath.Join(dir, name)
		if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		overlay[filepath.Join(root, "behaviors", name)] = tmp
	}
	runOverlayTest(t, root, dir, overlay)
}

// runOverlayTest runs TestUpper of package behaviors with overlay.
func runOverlayTest(t *testing.T, root, dir string, overlay map[string]string) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"Replace": overlay})
	path := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "test", "-overlay", path, "-count=1", "-run", "^TestUpper$", "-v", "./behaviors/")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestUpper") {
		t.Fatalf("the README's TestUpper: %v\n%s", err, out)
	}
}

// readmeSection returns the README's section that starts with heading, up to
// the next heading of its level.
func readmeSection(t *testing.T, path, heading string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("%s: no section %q", path, heading)
	}
	level := heading[:strings.IndexByte(heading, ' ')+1]
	if i := strings.Index(rest, "\n"+level); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// goBlock returns the section's one ```go block that starts with prefix.
func goBlock(t *testing.T, section, prefix string) string {
	t.Helper()
	var found []string
	for _, part := range strings.Split(section, "```go\n")[1:] {
		code, _, _ := strings.Cut(part, "```")
		if strings.HasPrefix(code, prefix) {
			found = append(found, code)
		}
	}
	if len(found) != 1 {
		t.Fatalf("README: %d go blocks start with %q in the section; want 1", len(found), prefix)
	}
	return found[0]
}
