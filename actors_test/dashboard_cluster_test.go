package actors_test

import (
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/chromedp/chromedp"

	"async_server/cluster/clustertest"
)

// TestDashboardClusterMembers ensures the dashboard shows the nodes of a
// live cluster in a real browser: on node A's page the cluster panel lists
// the three members, A marked as this node, the others up; a member killed
// (SIGKILL) turns unreachable there, and up again once it is started
// again. The nodes are processes of the built binary (cluster/clustertest),
// with a static member list. It skips where no chromium can start.
func TestDashboardClusterMembers(t *testing.T) {
	exe := findChromium(t)
	bin := clustertest.Build(t)
	nodes := clustertest.Start(t, clustertest.Options{Binary: bin, Behavior: "chat"})
	clustertest.WaitFormed(t, nodes)
	b := startBrowser(t, exe) // cleaned up first: the browser goes before the nodes

	self, gone := nodes[0], nodes[2]
	b.do("load node "+self.Addr+"'s page", chromedp.Navigate("http://"+self.Admin+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#cluster`)))
	b.poll("the panel names the cluster and this node", fmt.Sprintf(
		`document.getElementById('cluster-name').textContent === %q`, "test · this node "+self.Addr))
	b.poll("the three members, this node marked, the others up", membersJS(nodes, self, nil))

	gone.Signal(t, syscall.SIGKILL)
	gone.Wait(t, waitTimeout)
	b.poll(gone.Addr+" unreachable", membersJS(nodes, self, gone))
	gone.Restart(t)
	b.poll(gone.Addr+" up again", membersJS(nodes, self, nil))
	b.noExceptions()
}

// membersJS is true in the page when the members table lists exactly nodes,
// in address order, self as "(this node)", down as unreachable and every
// other as up.
func membersJS(nodes []*clustertest.Node, self, down *clustertest.Node) string {
	var want []string
	for _, n := range sortedByAddr(nodes) {
		switch {
		case n == self:
			want = append(want, fmt.Sprintf("[%q, 'up', '']", n.Addr+" (this node)"))
		case n == down:
			want = append(want, fmt.Sprintf("[%q, 'down', 'unreachable']", n.Addr))
		default:
			want = append(want, fmt.Sprintf("[%q, 'up', 'up']", n.Addr))
		}
	}
	return fmt.Sprintf(`JSON.stringify([...document.querySelectorAll('#members tbody tr')].map(
		r => [r.cells[0].textContent, r.dataset.up, r.cells[1].textContent])) === JSON.stringify([%s])`,
		strings.Join(want, ", "))
}

// sortedByAddr returns nodes in the order /tree lists members: by address,
// as strings.
func sortedByAddr(nodes []*clustertest.Node) []*clustertest.Node {
	out := slices.Clone(nodes)
	slices.SortFunc(out, func(a, b *clustertest.Node) int { return strings.Compare(a.Addr, b.Addr) })
	return out
}
