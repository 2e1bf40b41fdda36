package resp

// PUBLISH, SPUBLISH and PUBSUB: broker commands (Where: OnBroker), run by
// the broker service against its Broker.

// In cluster mode they are also forwarded to the other nodes, and PUBSUB
// counts this node's subscribers only (pubsub_cluster.go).

func cmdPublish(c *Call)  { publishCmd(c, false) }
func cmdSpublish(c *Call) { publishCmd(c, true) }

// pubsubHelp is PUBSUB HELP's text, word for word.
var pubsubHelp = []string{
	"PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CHANNELS [<pattern>]",
	"    Return the currently active channels matching a <pattern> (default: '*').",
	"NUMPAT",
	"    Return number of subscriptions to patterns.",
	"NUMSUB [<channel> ...]",
	"    Return the number of subscribers for the specified channels, excluding",
	"    pattern subscriptions(default: no channels).",
	"SHARDCHANNELS [<pattern>]",
	"    Return the currently active shard level channels matching a <pattern> (default: '*').",
	"SHARDNUMSUB [<shardchannel> ...]",
	"    Return the number of subscribers for the specified shard level channel(s)",
	"HELP",
	"    Prints this help.",
}

func cmdPubsubHelp(c *Call) {
	c.W.Array(len(pubsubHelp))
	for _, l := range pubsubHelp {
		c.W.Simple(l)
	}
}

func cmdPubsubNumpat(c *Call)        { c.W.Int(int64(c.Broker.patterns())) }
func cmdPubsubChannels(c *Call)      { pubsubChannels(c, subChannel) }
func cmdPubsubShardchannels(c *Call) { pubsubChannels(c, subShard) }
func cmdPubsubNumsub(c *Call)        { pubsubNumsub(c, subChannel) }
func cmdPubsubShardnumsub(c *Call)   { pubsubNumsub(c, subShard) }

// pubsubNumsub answers NUMSUB and SHARDNUMSUB: each name and its count (an
// array in RESP3 too, as Redis 7.0 answers).
func pubsubNumsub(c *Call, k subKind) {
	c.W.Array(2 * (len(c.Args) - 2))
	for _, ch := range c.Args[2:] {
		c.W.Bulk(ch)
		c.W.Int(int64(c.Broker.count(k, string(ch))))
	}
}

// pubsubChannels answers PUBSUB CHANNELS and SHARDCHANNELS: at most one
// pattern, else Redis's subcommand syntax error.
func pubsubChannels(c *Call, k subKind) {
	if len(c.Args) > 3 {
		c.W.Error("ERR unknown subcommand or wrong number of arguments for '" + cString(c.Args[1], 128) + "'. Try PUBSUB HELP.")
		return
	}
	var pattern []byte
	if len(c.Args) == 3 {
		pattern = globCompact(c.Args[2]) // once, not per channel, as KEYS does
	}
	names := c.Broker.channels(k, pattern)
	c.W.Array(len(names))
	for _, n := range names {
		c.W.BulkString(n)
	}
}
