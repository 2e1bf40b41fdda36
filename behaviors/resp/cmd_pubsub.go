package resp

// The pub/sub commands. (P|S)SUBSCRIBE and (P|S)UNSUBSCRIBE run on the
// connection, which keeps its subscriptions (subscriptions) and answers with
// its own counts, then tells the broker; PUBLISH, SPUBLISH and PUBSUB run in
// the broker, which knows every connection's. See pubsub.go.

var pubsubCommands = []Command{
	{Name: "subscribe", Arity: -2, Flags: PubSub | NoScript | Loading | Stale, Group: "pubsub", Where: OnConn, Summary: "Listen for messages published to the given channels", Run: cmdSubscribe},
	{Name: "unsubscribe", Arity: -1, Flags: PubSub | NoScript | Loading | Stale, Group: "pubsub", Where: OnConn, Summary: "Stop listening for messages posted to the given channels", Run: cmdUnsubscribe},
	{Name: "psubscribe", Arity: -2, Flags: PubSub | NoScript | Loading | Stale, Group: "pubsub", Where: OnConn, Summary: "Listen for messages published to channels matching the given patterns", Run: cmdPsubscribe},
	{Name: "punsubscribe", Arity: -1, Flags: PubSub | NoScript | Loading | Stale, Group: "pubsub", Where: OnConn, Summary: "Stop listening for messages posted to channels matching the given patterns", Run: cmdPunsubscribe},
	{Name: "ssubscribe", Arity: -2, Flags: PubSub | NoScript | Loading | Stale, FirstKey: 1, LastKey: -1, Step: 1, Group: "pubsub", Where: OnConn, Summary: "Listen for messages published to the given shard channels", Run: cmdSsubscribe},
	{Name: "sunsubscribe", Arity: -1, Flags: PubSub | NoScript | Loading | Stale, FirstKey: 1, LastKey: -1, Step: 1, Group: "pubsub", Where: OnConn, Summary: "Stop listening for messages posted to the given shard channels", Run: cmdSunsubscribe},
	{Name: "publish", Arity: 3, Flags: PubSub | Loading | Stale | Fast, Group: "pubsub", Where: OnBroker, Summary: "Post a message to a channel", Run: cmdPublish},
	{Name: "spublish", Arity: 3, Flags: PubSub | Loading | Stale | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "pubsub", Where: OnBroker, Summary: "Post a message to a shard channel", Run: cmdSpublish},
	{Name: "pubsub", Arity: -2, Group: "pubsub", Where: OnBroker, Summary: "A container for Pub/Sub commands", Subs: []Command{
		{Name: "channels", Arity: -2, Flags: PubSub | Loading | Stale, Group: "pubsub", Where: OnBroker, Summary: "List active channels", Run: cmdPubsubChannels},
		{Name: "numpat", Arity: 2, Flags: PubSub | Loading | Stale, Group: "pubsub", Where: OnBroker, Summary: "Get the count of unique patterns pattern subscriptions", Run: cmdPubsubNumpat},
		{Name: "numsub", Arity: -2, Flags: PubSub | Loading | Stale, Group: "pubsub", Where: OnBroker, Summary: "Get the count of subscribers for channels", Run: cmdPubsubNumsub},
		{Name: "shardchannels", Arity: -2, Flags: PubSub | Loading | Stale, Group: "pubsub", Where: OnBroker, Summary: "List active shard channels", Run: cmdPubsubShardchannels},
		{Name: "shardnumsub", Arity: -2, Flags: PubSub | Loading | Stale, Group: "pubsub", Where: OnBroker, Summary: "Get the count of subscribers for shard channels", Run: cmdPubsubShardnumsub},
		{Name: "help", Arity: 2, Flags: Loading | Stale, Group: "pubsub", Where: OnConn, Summary: "Show helpful text about the different subcommands", Run: cmdPubsubHelp},
	}},
}

// subscribed says whether the connection is in Redis's subscribed mode: in
// RESP2, only a few commands are allowed then (subscribedReject).
func (s *session) subscribed() bool {
	return s.subs != nil && s.subs.count(subChannel)+s.subs.count(subShard) > 0
}

var subscribeReplies = [subKinds]string{"subscribe", "psubscribe", "ssubscribe"}
var unsubscribeReplies = [subKinds]string{"unsubscribe", "punsubscribe", "sunsubscribe"}

func cmdSubscribe(c *Call)    { subscribeCmd(c, subChannel) }
func cmdPsubscribe(c *Call)   { subscribeCmd(c, subPattern) }
func cmdUnsubscribe(c *Call)  { unsubscribeCmd(c, subChannel) }
func cmdPunsubscribe(c *Call) { unsubscribeCmd(c, subPattern) }
func cmdSunsubscribe(c *Call) { unsubscribeCmd(c, subShard) }

// cmdSsubscribe is SSUBSCRIBE, which Redis 7.0 refuses to a client that
// expects one reply per command (CLIENT_DENY_BLOCKING), as one inside EXEC
// is; SUBSCRIBE and PSUBSCRIBE it lets run there.
func cmdSsubscribe(c *Call) {
	if c.InMulti {
		c.W.Error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client")
		return
	}
	subscribeCmd(c, subShard)
}

// subscribeCmd subscribes the connection to each name (once: a name it
// already has is answered again, with the same count) and tells the broker
// of the new ones, after sending the commands before this one, so that a
// PUBLISH earlier in the pipeline does not reach it.
func subscribeCmd(c *Call, k subKind) {
	s := c.Sess
	if s.srv.brokerStopped.Load() || s.gone(s.broker) {
		c.W.Error(errServiceGone) // not pushed: an error, which CLIENT REPLY OFF drops as Redis would
		return
	}
	if s.subs == nil {
		s.subs = &subscriptions{}
	}
	s.pushed = true // its confirmations, whatever CLIENT REPLY says (local)
	var added []string
	for _, a := range c.Args[1:] {
		name := string(a)
		if s.subs.names[k].add(name) {
			added = append(added, name)
		}
		c.W.Push(3)
		c.W.BulkString(subscribeReplies[k])
		c.W.BulkString(name)
		c.W.Int(int64(s.subs.count(k)))
	}
	if len(added) > 0 {
		s.countSubs()
		s.sendOpen()
		s.watch(s.broker) // to hear if it stops for good (brokerGone)
		s.conn.Send(s.broker, &subscribe{Kind: k, Names: added})
	}
}

// brokerGone is the broker's end, for good: the connection's subscriptions
// are dead, and no message will ever come. A connection subscribed to
// anything is closed once what it is owed is written. Closing is what a
// Redis client handles best: go-redis's PubSub, redis-py and the others
// take a lost connection as a reason to reconnect and subscribe again,
// and that SUBSCRIBE's answer is the error saying why; an unsolicited
// error written into a subscribed connection would be taken as the reply
// to some later command, and silence would leave the client waiting for
// messages for ever.
func (s *session) brokerGone() {
	if s.subs == nil {
		return
	}
	for _, names := range s.subs.names {
		if names.len() > 0 {
			s.quit = true // flush closes once nothing is owed
			return
		}
	}
}

// unsubscribeCmd unsubscribes from each name, or from every name of the kind
// when none is given (in sorted order; Redis's is its hash table's).
func unsubscribeCmd(c *Call, k subKind) {
	s := c.Sess
	s.pushed = true // its confirmations, whatever CLIENT REPLY says (local)
	names := make([]string, 0, len(c.Args)-1)
	for _, a := range c.Args[1:] {
		names = append(names, string(a))
	}
	all := len(names) == 0
	if all && s.subs != nil {
		names = s.subs.names[k].sorted()
	}
	if len(names) == 0 { // nothing to unsubscribe from: one reply all the same
		c.W.Push(3)
		c.W.BulkString(unsubscribeReplies[k])
		c.W.Null()
		c.W.Int(int64(s.subs.count(k)))
		return
	}
	var gone []string
	for _, name := range names {
		if s.subs != nil && s.subs.names[k].remove(name) {
			gone = append(gone, name)
		}
		c.W.Push(3)
		c.W.BulkString(unsubscribeReplies[k])
		c.W.BulkString(name)
		c.W.Int(int64(s.subs.count(k)))
	}
	if len(gone) > 0 {
		s.countSubs()
		s.sendOpen()
		s.conn.Send(s.broker, &unsubscribe{Kind: k, Names: gone})
	}
}

// countSubs publishes the connection's counts for CLIENT LIST (sub, psub).
func (s *session) countSubs() {
	var subs, psubs int
	if s.subs != nil {
		subs, psubs = s.subs.names[subChannel].len(), s.subs.names[subPattern].len()
	}
	s.ci.subs.Store(int32(subs))
	s.ci.psubs.Store(int32(psubs))
}

// unsubscribeAll drops every subscription, quietly (RESET).
func (s *session) unsubscribeAll() {
	if s.subs == nil {
		return
	}
	s.subs = nil
	s.countSubs()
	s.sendOpen()
	s.conn.Send(s.broker, &clientReset{})
}

// deliver writes a message the broker sent, after the replies owed for the
// commands read so far, if the connection is still subscribed to its channel
// or pattern: the message is taken as published after them (a consistent
// order, since another connection's PUBLISH may come at any point of this
// one's pipeline). Its own publications come in PUBLISH's reply instead.
func (s *session) deliver(m *published) {
	switch m.Kind {
	case publishedMessage:
		if !s.subs.has(subChannel, m.Channel) {
			return
		}
	case publishedPattern:
		if !s.subs.has(subPattern, m.Pattern) {
			return
		}
	case publishedShard:
		if !s.subs.has(subShard, m.Channel) {
			return
		}
	}
	m.write(s.local())
	s.pushed = true // whatever CLIENT REPLY says (local)
	s.endLocal()
}

// subscribedReject is the error for a command a RESP2 connection may not run
// in subscribed mode, or "" if it may: only (P|S)SUBSCRIBE,
// (P|S)UNSUBSCRIBE, PING, QUIT and RESET are allowed, as in Redis 7.0.
func (s *session) subscribedReject(spec *Command) string {
	if s.proto != 2 || !s.subscribed() {
		return ""
	}
	switch spec.Name {
	case "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe", "ping", "quit", "reset":
		return ""
	}
	return "ERR Can't execute '" + spec.FullName() + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
}

// pingSubscribed is PING in RESP2's subscribed mode: ["pong", message or ""].
func pingSubscribed(c *Call) {
	c.W.Array(2)
	c.W.BulkString("pong")
	if len(c.Args) == 2 {
		c.W.Bulk(c.Args[1])
	} else {
		c.W.BulkString("")
	}
}
