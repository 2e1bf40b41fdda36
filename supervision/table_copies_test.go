package supervision

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
)

// The supervision table lives in decide.go (directives); actors/doc.go,
// README.md and the http behavior's embedded home page show it to readers. This file checks that each copy says what
// the table says, so a change to one cannot leave the others behind.

// tableCopies are the files that show the table, from this package's directory.
var tableCopies = []string{"../actors/doc.go", "../README.md", "../behaviors/web/site/index.html"}

// directiveWord is a directive as the copies write it: its first word, in
// capitals ("Stop", "Restart: fresh state, ...").
var directiveWord = regexp.MustCompile(`\b(Stop|Restart|Resume|Escalate)\b`)

// TestTableCopies ensures every copy of the supervision table has one row per
// category, each with the directive of decide.go. A copy's table is found by
// its rows, whatever their layout: a run of lines that each begin (after
// comment marks, indentation, "|" and a backquote, or an HTML row's
// "<tr><td>") with a category's name, and
// that names every category; its first directive word after the name is the
// row's directive.
func TestTableCopies(t *testing.T) {
	for _, path := range tableCopies {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("the table's copy: %v", err)
		}
		rows, why := tableRows(string(b))
		if why != "" {
			t.Errorf("%s: %s", path, why)
			continue
		}
		for c, d := range directives {
			got, ok := rows[c]
			if want := strings.TrimSuffix(d.String(), "Directive"); !ok || got != want {
				t.Errorf("%s: row %v says %q; want %q (supervision/decide.go)", path, c, got, want)
			}
		}
	}
}

// tableRows finds the one run of consecutive category rows in text that
// names every category, and returns each row's directive word by category;
// or a reason it found none or several.
func tableRows(text string) (map[Category]string, string) {
	var found []map[Category]string
	run := map[Category]string{}
	end := func() {
		if len(run) == len(categoryNames) {
			found = append(found, run)
		}
		run = map[Category]string{}
	}
	for _, line := range strings.Split(text, "\n") {
		c, rest, ok := categoryRow(line)
		if !ok {
			end()
			continue
		}
		run[c] = directiveWord.FindString(rest)
	}
	end()
	switch len(found) {
	case 0:
		return nil, "no table with a row for every category"
	case 1:
		return found[0], ""
	}
	return nil, "several tables with a row for every category"
}

// categoryRow reports whether line is a table row, and its category and the
// rest of the row.
func categoryRow(line string) (Category, string, bool) {
	s := strings.TrimLeft(strings.TrimPrefix(strings.TrimLeft(line, " \t"), "//"), " \t|`")
	s = strings.TrimPrefix(s, "<tr><td>")
	for c, name := range categoryNames {
		rest, ok := strings.CutPrefix(s, name)
		if ok && (rest == "" || strings.ContainsRune(" \t|`<", rune(rest[0]))) {
			return Category(c), rest, true
		}
	}
	return 0, "", false
}

// TestTableRowsFound ensures the table finder finds a table in each layout
// the copies use, and sees a wrong directive.
func TestTableRowsFound(t *testing.T) {
	var doc, md, html strings.Builder
	for c, name := range categoryNames {
		d := strings.TrimSuffix(directives[Category(c)].String(), "Directive")
		doc.WriteString("//\t" + name + "    " + d + "  why\n")
		md.WriteString("| `" + name + "` | a cause | " + d + ": more |\n")
		html.WriteString("<tr><td>" + name + "</td><td>a cause</td><td>" + d + ", more</td></tr>\n")
	}
	for layout, text := range map[string]string{"doc.go": doc.String(), "README": "intro\n\n" + md.String() + "\nafter",
		"index.html": "<table>\n" + html.String() + "</table>"} {
		rows, why := tableRows(text)
		if why != "" {
			t.Fatalf("%s layout: %s", layout, why)
		}
		if rows[Timeout] != "Stop" || rows[Internal] != "Restart" {
			t.Errorf("%s layout: rows %v", layout, rows)
		}
	}
	wrong := strings.Replace(doc.String(), "Timeout    Stop", "Timeout    Restart", 1)
	if rows, _ := tableRows(wrong); rows[Timeout] != "Restart" || directives[Timeout] != actor.StopDirective {
		t.Errorf("a changed row reads %q", rows[Timeout])
	}
}
