package resp

import (
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"strings"
	"time"
)

// infoCommands is INFO, which the key space answers (it has the data's
// numbers; the connections' are shared atomics).
var infoCommands = []Command{
	{Name: "info", Arity: -1, Flags: Loading | Stale, Group: "server", Run: cmdInfo,
		Summary: "Returns information and statistics about the server."},
}

// infoSections are the sections INFO knows, in its order, and whether INFO
// alone ("default") shows each.
var infoSections = []struct {
	name  string
	dflt  bool
	write func(c *Call, b *strings.Builder)
}{
	{"server", true, infoServer}, {"clients", true, infoClients}, {"memory", true, infoMemory},
	{"persistence", true, infoPersistence}, {"stats", true, infoStats}, {"replication", true, infoReplication},
	{"commandstats", false, infoCommandStats}, {"keyspace", true, infoKeyspace},
}

// cmdInfo is INFO [section ...]: "default", "all", "everything" or names.
func cmdInfo(c *Call) {
	want := map[string]bool{}
	for _, a := range c.Args[1:] {
		want[strings.ToLower(string(a))] = true
	}
	if len(want) == 0 {
		want["default"] = true
	}
	var parts []string
	for _, s := range infoSections {
		if want[s.name] || want["all"] || want["everything"] || want["default"] && s.dflt {
			var b strings.Builder
			b.WriteString("# " + strings.ToUpper(s.name[:1]) + s.name[1:] + "\r\n")
			s.write(c, &b)
			parts = append(parts, b.String())
		}
	}
	c.W.Verbatim(strings.Join(parts, "\r\n"))
}

func line(b *strings.Builder, format string, args ...any) {
	fmt.Fprintf(b, format+"\r\n", args...)
}

func infoServer(c *Call, b *strings.Builder) {
	up := time.Since(c.Srv.started)
	line(b, "redis_version:%s", redisVersion)
	line(b, "redis_mode:standalone")
	line(b, "os:%s %s", runtime.GOOS, runtime.GOARCH)
	line(b, "arch_bits:64")
	line(b, "multiplexing_api:async_server")
	line(b, "go_version:%s", runtime.Version())
	line(b, "process_id:%d", os.Getpid())
	line(b, "uptime_in_seconds:%d", int64(up.Seconds()))
	line(b, "uptime_in_days:%d", int64(up.Hours()/24))
	line(b, "hz:10")
}

// infoClients counts the blocked clients as Redis does, kept as they park
// and are served (blocks.parked), not by a walk of every client.
func infoClients(c *Call, b *strings.Builder) {
	line(b, "connected_clients:%d", c.Srv.clients.count())
	line(b, "blocked_clients:%d", c.Store.blocks.parked)
}

// infoMemory: used_memory is the data set as the store counts it
// (memory.go), what maxmemory is compared with; allocator_allocated is the
// Go heap's objects, garbage not yet collected included, for comparison.
func infoMemory(c *Call, b *strings.Builder) {
	used := c.Store.usedMemory()
	if c.Srv.clustered.Load() { // the node's shards' data (memory_cluster.go)
		used += c.Srv.shardMem.used.Load()
	}
	max := c.Srv.cfg.maxMemory.Load()
	line(b, "used_memory:%d", used)
	line(b, "used_memory_human:%s", human(uint64(used)))
	line(b, "used_memory_dataset:%d", used)
	line(b, "allocator_allocated:%d", heapBytes())
	line(b, "maxmemory:%d", max) // signed, as Redis prints it: 2**64-1 is -1
	line(b, "maxmemory_human:%s", human(uint64(max)))
	line(b, "maxmemory_policy:%s", policies[c.Srv.cfg.policy.Load()])
}

// heapBytes reads the bytes the Go heap's live and not-yet-swept objects
// take.
func heapBytes() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

// human writes bytes as Redis's bytesToHuman does.
func human(n uint64) string {
	const k = 1024
	switch f := float64(n); {
	case n < k:
		return fmt.Sprintf("%dB", n)
	case n < k*k:
		return fmt.Sprintf("%.2fK", f/k)
	case n < k*k*k:
		return fmt.Sprintf("%.2fM", f/(k*k))
	case n < k*k*k*k:
		return fmt.Sprintf("%.2fG", f/(k*k*k))
	case n < k*k*k*k*k:
		return fmt.Sprintf("%.2fT", f/(k*k*k*k))
	case n < k*k*k*k*k*k:
		return fmt.Sprintf("%.2fP", f/(k*k*k*k*k))
	default: // "Let's hope we never need this"
		return fmt.Sprintf("%dB", n)
	}
}

func infoPersistence(c *Call, b *strings.Builder) {
	line(b, "loading:0")
	line(b, "rdb_changes_since_last_save:%d", c.Store.dirty)
	line(b, "rdb_last_save_time:0")
	line(b, "aof_enabled:0")
}

func infoStats(c *Call, b *strings.Builder) {
	st := c.Store.stats
	line(b, "total_connections_received:%d", c.Srv.clients.total.Load())
	line(b, "total_commands_processed:%d", st.Commands)
	line(b, "expired_keys:%d", st.ExpiredKeys)
	line(b, "evicted_keys:%d", st.EvictedKeys+c.Srv.shardMem.evicted.Load())
	line(b, "keyspace_hits:%d", st.KeyHits)
	line(b, "keyspace_misses:%d", st.KeyMisses)
}

func infoReplication(c *Call, b *strings.Builder) {
	line(b, "role:master")
	line(b, "connected_slaves:0")
}

func infoCommandStats(c *Call, b *strings.Builder) {
	for _, cmd := range flat {
		st := &c.Srv.cmdStats[cmd.index]
		calls, rejected := st.calls.Load(), st.rejected.Load()
		if calls == 0 && rejected == 0 {
			continue
		}
		usec := st.usec.Load()
		per := 0.0
		if calls > 0 {
			per = float64(usec) / float64(calls)
		}
		line(b, "cmdstat_%s:calls=%d,usec=%d,usec_per_call=%.2f,rejected_calls=%d,failed_calls=%d",
			cmd.fullName, calls, usec, per, rejected, st.failed.Load())
	}
}

func infoKeyspace(c *Call, b *strings.Builder) {
	// In cluster mode the node's own key space holds no key: its shards' count.
	mem := &c.Srv.shardMem
	for i, db := range c.Store.dbs {
		keys := int64(db.Len()) + mem.dbKeys[i].Load()
		if keys > 0 {
			line(b, "db%d:keys=%d,expires=%d,avg_ttl=0", db.Index, keys, int64(len(db.expires.M))+mem.dbVolatile[i].Load())
		}
	}
}
