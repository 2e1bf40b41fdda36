package resp

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// clientCommands are CLIENT and RESET: the connection's own state.
var clientCommands = []Command{
	{Name: "client", Arity: -2, Group: "connection", Where: OnConn, Summary: "A container for client connection commands.",
		Subs: []Command{
			{Name: "id", Arity: 2, Flags: NoScript | Loading | Stale, Group: "connection", Where: OnConn,
				Run: func(c *Call) { c.W.Int(c.Sess.ci.id) }, Summary: "Returns the unique client ID of the connection."},
			{Name: "setname", Arity: 3, Flags: NoScript | Loading | Stale, Group: "connection", Where: OnConn,
				Run: cmdClientSetName, Summary: "Sets the connection name."},
			{Name: "getname", Arity: 2, Flags: NoScript | Loading | Stale, Group: "connection", Where: OnConn,
				Run: cmdClientGetName, Summary: "Returns the name of the connection."},
			{Name: "info", Arity: 2, Flags: NoScript | Loading | Stale, Group: "connection", Where: OnConn,
				Run: func(c *Call) { c.W.Verbatim(c.Sess.ci.line(c.Sess)) }, Summary: "Returns information about the connection."},
			{Name: "list", Arity: -2, Flags: Admin | NoScript | Loading | Stale, Group: "connection", Where: OnConn,
				Run: cmdClientList, Summary: "Lists open connections."},
			{Name: "kill", Arity: -3, Flags: Admin | NoScript | Loading | Stale, Group: "connection", Where: OnConn,
				Run: cmdClientKill, Summary: "Terminates open connections."},
			{Name: "no-evict", Arity: 3, Flags: Admin | NoScript | Loading | Stale, Group: "connection", Where: OnConn,
				Run: cmdClientNoEvict, Summary: "Sets the client eviction mode of the connection."},
			{Name: "reply", Arity: 3, Flags: NoScript | Loading | Stale, Group: "connection", Where: OnConn,
				Run: cmdClientReply, Summary: "Instructs the server whether to reply to commands."},
			{Name: "help", Arity: 2, Flags: Loading | Stale, Group: "connection", Where: OnConn,
				Run: cmdClientHelp, Summary: "Returns helpful text about the different subcommands."},
		}},
	{Name: "reset", Arity: 1, Flags: NoScript | Loading | Stale | Fast | NoAuth | AllowBusy, Group: "connection",
		Where: OnConn, Run: cmdReset, Summary: "Resets the connection."},
}

func cmdClientSetName(c *Call) {
	if !validName(c.Args[2]) {
		c.W.Error(errClientName)
		return
	}
	name := string(c.Args[2])
	c.Sess.ci.name.Store(&name)
	c.W.OK()
}

func cmdClientGetName(c *Call) {
	if n := c.Sess.ci.name.Load(); n != nil && *n != "" {
		c.W.BulkString(*n)
		return
	}
	c.W.Null()
}

// line is the connection's CLIENT LIST line (the memory fields Redis has
// are 0: see the divergences).
func (ci *clientInfo) line(self *session) string {
	name := ""
	if n := ci.name.Load(); n != nil {
		name = *n
	}
	cmd := "NULL"
	if c := ci.lastCmd.Load(); c != nil {
		cmd = c.fullName
	}
	now := time.Now()
	return fmt.Sprintf("id=%d addr=%s laddr=%s fd=-1 name=%s age=%d idle=%d flags=%s db=%d sub=%d psub=%d ssub=0 "+
		"multi=%d qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r "+
		"cmd=%s user=default redir=-1 resp=%d\n",
		ci.id, ci.addr, ci.localAddr(), name, int64(now.Sub(ci.created).Seconds()),
		(now.UnixMilli()-ci.lastActive.Load())/1000, ci.flags(), ci.db.Load(), ci.subs.Load(), ci.psubs.Load(),
		ci.multi.Load(), cmd, ci.proto.Load())
}

// flags are the connection's CLIENT LIST flags, in Redis's order, of those
// it knows: P subscribed, x in MULTI, e no-evict; N for none (b, blocked, and
// d, a watched key changed, are the key space's to know: see the divergences).
func (ci *clientInfo) flags() string {
	var f []byte
	if ci.subs.Load()+ci.psubs.Load() > 0 {
		f = append(f, 'P')
	}
	if ci.multi.Load() >= 0 {
		f = append(f, 'x')
	}
	if ci.noEvict.Load() {
		f = append(f, 'e')
	}
	if len(f) == 0 {
		return "N"
	}
	return string(f)
}

// cmdClientList is CLIENT LIST [TYPE type] [ID id ...].
func cmdClientList(c *Call) {
	all := c.Srv.clients.list()
	args := c.Args[2:]
	switch {
	case len(args) == 0:
	case len(args) == 2 && strings.EqualFold(string(args[0]), "type"):
		t := strings.ToLower(string(args[1]))
		switch t {
		case "normal", "pubsub", "master", "replica", "slave":
		default:
			c.W.Error("ERR Unknown client type '" + cString(args[1], 128) + "'")
			return
		}
		all = filterClients(all, func(ci *clientInfo) bool { return clientType(ci) == t })
	case len(args) >= 2 && strings.EqualFold(string(args[0]), "id"):
		ids := map[int64]bool{}
		for _, a := range args[1:] {
			id, ok := parseInt(a)
			if !ok { // 0 and below are taken, and match no client, as Redis's
				c.W.Error("ERR Invalid client ID")
				return
			}
			ids[id] = true
		}
		all = filterClients(all, func(ci *clientInfo) bool { return ids[ci.id] })
	default:
		c.W.Error(ErrSyntax)
		return
	}
	var b strings.Builder
	for _, ci := range all {
		b.WriteString(ci.line(c.Sess))
	}
	c.W.Verbatim(b.String())
}

// clientType is CLIENT LIST's and CLIENT KILL's TYPE of a connection.
func clientType(ci *clientInfo) string {
	if ci.subs.Load() > 0 || ci.psubs.Load() > 0 {
		return "pubsub"
	}
	return "normal"
}

func filterClients(all []*clientInfo, keep func(*clientInfo) bool) []*clientInfo {
	var out []*clientInfo
	for _, ci := range all {
		if keep(ci) {
			out = append(out, ci)
		}
	}
	return out
}

func cmdClientNoEvict(c *Call) {
	switch strings.ToLower(string(c.Args[2])) {
	case "on":
		c.Sess.ci.noEvict.Store(true)
	case "off":
		c.Sess.ci.noEvict.Store(false)
	default:
		c.W.Error(ErrSyntax)
		return
	}
	c.W.OK()
}

// cmdClientReply is CLIENT REPLY ON|OFF|SKIP: OFF and SKIP reply nothing.
func cmdClientReply(c *Call) {
	s := c.Sess
	switch strings.ToLower(string(c.Args[2])) {
	case "on":
		s.replyOff, s.skipThis = false, false
		c.W.OK()
	case "off":
		s.replyOff = true
	case "skip":
		if !s.replyOff {
			s.skipNext = true
		}
	default:
		c.W.Error(ErrSyntax)
	}
}

// cmdReset is RESET: the connection as new (but for its ID and socket).
func cmdReset(c *Call) {
	s := c.Sess
	s.multi, s.execNext = nil, nil
	s.replyOff, s.skipThis, s.skipNext = false, false, false
	s.proto, s.db = 2, 0
	s.ci.proto.Store(2)
	s.ci.db.Store(0)
	s.ci.multi.Store(-1)
	s.ci.name.Store(nil)
	s.ci.noEvict.Store(false)
	s.authed = s.srv.password() == ""
	s.p.strict = !s.authed
	c.W.Proto = 2
	c.W.Simple("RESET")
	s.resetNext = true // the key space forgets the watches (afterLocal), the broker the subscriptions
}

func cmdClientHelp(c *Call) {
	lines := []string{
		"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"GETNAME", "    Return the name of the current connection.",
		"ID", "    Return the ID of the current connection.",
		"INFO", "    Return information about the current client connection.",
		"KILL <ip:port>", "    Kill connection made from <ip:port>.",
		"KILL <option> <value> [<option> <value> [...]]", "    Kill connections. Options are:",
		"    * ADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made from the specified address",
		"    * LADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made to specified local address",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Kill connections by type.",
		"    * USER <username>", "      Kill connections authenticated by <username>.",
		"    * SKIPME (YES|NO)", "      Skip killing current connection (default: yes).",
		"    * ID <client-id>", "      Kill connections by client id.",
		"LIST [options ...]", "    Return information about client connections. Options:",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Return clients of specified type.",
		"NO-EVICT (ON|OFF)", "    Protect current client connection from eviction.",
		"REPLY (ON|OFF|SKIP)", "    Control the replies sent to the current connection.",
		"SETNAME <name>", "    Assign the name <name> to the current connection.",
		"HELP", "    Prints this help.",
	}
	c.W.Array(len(lines))
	for _, l := range lines {
		c.W.Simple(l)
	}
}

// killFilter is CLIENT KILL's filters.
type killFilter struct {
	id          int64
	addr, laddr string
	typ, user   string
	skipMe      bool
}

// cmdClientKill is CLIENT KILL addr (old form: OK or an error) or CLIENT
// KILL filter value ... (new form: how many were killed).
func cmdClientKill(c *Call) {
	args := c.Args[2:]
	if len(args) == 1 {
		n := killClients(c, killFilter{addr: string(args[0])})
		if n == 0 {
			c.W.Error("ERR No such client")
			return
		}
		c.W.OK()
		return
	}
	f, ok := parseKill(c, args)
	if !ok {
		return
	}
	c.W.Int(int64(killClients(c, f)))
}

func parseKill(c *Call, args [][]byte) (killFilter, bool) {
	f := killFilter{skipMe: true}
	if len(args)%2 != 0 {
		c.W.Error(ErrSyntax)
		return f, false
	}
	for i := 0; i < len(args); i += 2 {
		v := string(args[i+1])
		switch strings.ToLower(string(args[i])) {
		case "id":
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id <= 0 {
				c.W.Error("ERR client-id should be greater than 0")
				return f, false
			}
			f.id = id
		case "addr":
			f.addr = v
		case "laddr":
			f.laddr = v
		case "user":
			if v != "default" { // the one user there is (no ACL users)
				c.W.Error("ERR No such user '" + cString(args[i+1], len(v)) + "'")
				return f, false
			}
			f.user = v
		case "type":
			f.typ = strings.ToLower(v)
			if f.typ != "normal" && f.typ != "pubsub" && f.typ != "master" && f.typ != "replica" && f.typ != "slave" {
				c.W.Error("ERR Unknown client type '" + cString(args[i+1], 128) + "'")
				return f, false
			}
		case "skipme":
			switch strings.ToLower(v) {
			case "yes":
				f.skipMe = true
			case "no":
				f.skipMe = false
			default:
				c.W.Error(ErrSyntax)
				return f, false
			}
		default:
			c.W.Error(ErrSyntax)
			return f, false
		}
	}
	return f, true
}

// killClients closes the connections f selects and returns how many. The
// connection itself closes after its reply. The others are killed as Redis
// frees them, before the reply: each is marked killed (gone from CLIENT
// LIST and INFO, and no second kill counts it), the key space is told to
// forget its parked request and watches (clientKilled: a push sent after
// the reply serves the next waiter, never the killed client), and the
// connection is told to close at once (killClient), on its own goroutine.
// A connection whose PID the key space has not given its record yet is
// told by the key space when it does (keySpace.known).
func killClients(c *Call, f killFilter) int {
	n := 0
	for _, ci := range c.Srv.clients.list() {
		self := ci == c.Sess.ci
		switch {
		case f.id != 0 && ci.id != f.id, f.addr != "" && ci.addr != f.addr,
			f.laddr != "" && ci.localAddr() != f.laddr, f.typ != "" && clientType(ci) != f.typ,
			f.user != "" && f.user != "default", self && f.skipMe:
			continue
		}
		if self {
			n++
			c.Sess.quit = true
			continue
		}
		if !c.Srv.clients.kill(ci) {
			continue // killed meanwhile by another, or ended
		}
		n++
		if pid := ci.pid.Load(); pid != nil {
			c.Sess.conn.Send(c.Sess.keySpace, &clientKilled{PID: pid})
			c.Sess.keySpaceHeard = false // this connection's next batch goes after it, never directly
			c.Sess.conn.Send(pid, &killClient{})
		}
	}
	return n
}
