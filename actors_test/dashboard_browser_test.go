package actors_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

var updateScreenshot = flag.Bool("update-screenshot", false,
	"TestDashboardInBrowser: write its screenshot to docs/dashboard.png (docs/admin.md shows it)")

// TestDashboardInBrowser ensures the dashboard works in a real browser: it
// draws the listener's acceptor and, beside it, its connection supervisor
// (conns-HOST:PORT, with no inject button: it takes no faults) above the
// table of its connections; a new connection appears in the tree; its inject button (Internal) makes the
// supervisor restart it, which the log shows as an injected Restart and the
// row as 1/3 of its restart budget, while the client stays connected; a
// ConnectionFailed chosen in another row stops that connection, which leaves
// the tree; past 200 connections the page draws 200 and counts the rest,
// in the table and in the header. It
// skips where no chromium can start.
func TestDashboardInBrowser(t *testing.T) {
	exe := findChromium(t)
	srv, adm := startObserved(t, nil)
	admin := adm.URL
	b := startBrowser(t, exe) // cleaned up first: the browser goes before the servers

	b.do("load the page", chromedp.Navigate(admin+"/"),
		chromedp.WaitVisible(chromedp.CSS(`.actor[data-kind="acceptor"]`)))
	sup := "conns-" + srv.Addr
	b.poll("the connection supervisor's row, then its table, without inject controls", fmt.Sprintf(
		`(() => { const r = document.querySelector('.actor[data-kind="connections"][data-actor=%[1]q]');
		return r && r.nextElementSibling?.matches('.conns[data-conns-of=%[1]q]') &&
			!r.querySelector('button[data-inject]') && !!r.querySelector('[data-field="restarts"]'); })()`, sup))

	restarted, rr := dialEcho(t, srv)
	stopped, _ := dialEcho(t, srv)
	dialEcho(t, srv) // a bystander, for the picture
	id := b.connID(restarted)
	victim := b.connID(stopped)

	b.do("inject Internal into "+id, chromedp.Click(chromedp.CSS(fmt.Sprintf(`button[data-inject=%q]`, id))))
	b.poll("the log shows an injected Restart of "+id, fmt.Sprintf(
		`[...document.querySelectorAll('#events li[data-kind="decision"][data-actor=%q]')].some(
			li => li.dataset.directive === 'Restart' && li.dataset.injected === 'true')`, id))
	b.poll(id+"'s row shows 1/3 restarts", fmt.Sprintf(
		`document.querySelector('tr[data-conn=%q] [data-field="restarts"]')?.textContent === '1/3'`, id))
	if _, err := restarted.Write([]byte("still here\n")); err != nil {
		t.Fatalf("write after the restart: %v", err)
	}
	if got := readLine(t, restarted, rr); got != "still here" {
		t.Fatalf("echo after the restart = %q; want %q", got, "still here")
	}

	b.do("inject ConnectionFailed into "+victim,
		chromedp.SetValue(chromedp.CSS(fmt.Sprintf(`select[data-category-for=%q]`, victim)), "ConnectionFailed"),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`button[data-inject=%q]`, victim))))
	b.poll("the log shows the Stop of "+victim, fmt.Sprintf(
		`document.querySelector('#events li[data-kind="decision"][data-actor=%q]')?.dataset.directive === 'Stop'`, victim))
	b.poll(victim+"'s row is gone", fmt.Sprintf(`!document.querySelector('tr[data-conn=%q]')`, victim))
	expectEOF(t, stopped)

	b.screenshot()

	// Past maxRows connections the page draws maxRows and counts the rest.
	const maxRows, more = 200, 210
	for range more {
		srv.dial(t)
	}
	b.poll("the page draws 200 rows and counts the rest", fmt.Sprintf(
		`document.querySelector('.more')?.textContent === 'showing %d of %d connections' &&
		document.querySelectorAll('tr[data-conn]').length === %[1]d &&
		document.getElementById('stat-conns').textContent === '%[2]d connections'`, maxRows, more+2))
	b.noExceptions()
}

// findChromium returns the path of a Chromium or Chrome, or skips the test.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium, chromium-browser or google-chrome in PATH: the browser test of the dashboard " +
		"needs one (apt-get install chromium)")
	return ""
}

// browser is a headless chromium with one tab, for one test.
type browser struct {
	t   *testing.T
	ctx context.Context

	mu         sync.Mutex
	exceptions []string // what the page threw and nothing caught
}

// startBrowser starts chromium headless (without the sandbox: tests often run
// as root in containers, where it cannot start), or skips the test if it
// cannot. The browser process is gone when the test's cleanups have run.
func startBrowser(t *testing.T, exe string) *browser {
	t.Helper()
	b := &browser{t: t}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1280, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(b.listen))
	t.Cleanup(func() {
		cancel()      // closes the tab and the browser
		cancelAlloc() // and waits for its process to exit
	})
	if err := chromedp.Do(ctx); err != nil { // the first run starts the browser
		t.Skipf("%s cannot start: %v", exe, err)
	}
	b.ctx = ctx
	return b
}

func (b *browser) listen(ev any) {
	if e, ok := ev.(*runtime.EventExceptionThrown); ok {
		b.mu.Lock()
		defer b.mu.Unlock()
		d := e.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		b.exceptions = append(b.exceptions, fmt.Sprintf("%s (%s:%d:%d)", msg, d.URL, d.LineNumber+1, d.ColumnNumber+1))
	}
}

// do runs steps within waitTimeout.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, waitTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v\nthe page says:\n%s", what, err, b.text())
	}
}

// text is what the page shows, to explain a failure.
func (b *browser) text() string {
	ctx, cancel := context.WithTimeout(b.ctx, waitTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		return err.Error()
	}
	return s
}

// poll waits until the JavaScript expression js is true in the page.
func (b *browser) poll(what, js string) {
	b.t.Helper()
	b.do("waiting until "+what, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[bool](js, chromedp.WithPollingTimeout(waitTimeout))(ctx, t)
		return err
	}))
}

// connID waits until the tree shows the connection whose client is c, and
// returns its name there.
func (b *browser) connID(c net.Conn) string {
	b.t.Helper()
	sel := fmt.Sprintf(`tr[data-remote=%q]`, c.LocalAddr().String())
	b.do("the row of "+c.LocalAddr().String(), chromedp.WaitVisible(chromedp.CSS(sel)))
	ctx, cancel := context.WithTimeout(b.ctx, waitTimeout)
	defer cancel()
	id, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(sel), "data-conn"))
	if err != nil || id.Value == "" {
		b.t.Fatalf("the name of the row %s: %q, %v", sel, id.Value, err)
	}
	return id.Value
}

// screenshot takes a picture of the whole page: into docs/dashboard.png with
// -update-screenshot, else into a temporary file (so that taking it is tested).
func (b *browser) screenshot() {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, waitTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG, not JPEG
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(b.t.TempDir(), "dashboard.png")
	if *updateScreenshot {
		path = filepath.Join("..", "docs", "dashboard.png")
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatalf("writing the screenshot: %v", err)
	}
	b.t.Logf("screenshot: %s (%d bytes)", path, len(png))
}

// noExceptions fails the test if the page threw anything it did not catch.
func (b *browser) noExceptions() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.exceptions {
		b.t.Errorf("the page threw: %s", e)
	}
}

// dialEcho connects to the echo server and checks one round trip, so the
// connection has bytes to show.
func dialEcho(t *testing.T, srv *testServer) (net.Conn, *bufio.Reader) {
	t.Helper()
	c := srv.dial(t)
	r := bufio.NewReader(c)
	if _, err := c.Write([]byte("hello\n")); err != nil {
		t.Fatalf("write: %v", err)
	}
	if got := readLine(t, c, r); got != "hello" {
		t.Fatalf("echo = %q; want %q", got, "hello")
	}
	return c, r
}
