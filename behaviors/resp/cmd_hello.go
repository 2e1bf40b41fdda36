package resp

import (
	"crypto/subtle"
	"strings"
)

// redisVersion is the Redis version this server answers as (HELLO, INFO):
// the one whose behavior it follows, so that clients that look at it pick
// the features it has.
const redisVersion = "7.0.15"

// helloCommands are HELLO and AUTH: the connection's protocol and login.
var helloCommands = []Command{
	{Name: "hello", Arity: -1, Flags: NoScript | Loading | Stale | Fast | NoAuth | AllowBusy, Group: "connection",
		Where: OnConn, Run: cmdHello, Summary: "Handshakes with the Redis server."},
	{Name: "auth", Arity: -2, Flags: NoScript | Loading | Stale | Fast | NoAuth | AllowBusy | Sensitive,
		Group: "connection", Where: OnConn, Run: cmdAuth, Summary: "Authenticates the connection."},
}

const errWrongPass = "WRONGPASS invalid username-password pair or user is disabled."

// cmdHello is HELLO [protover [AUTH username password] [SETNAME name]].
// Its checks come in this order: the version, then the options as given
// (AUTH logs in as it is read), then the login; only once all have passed
// does it change the connection's name and protocol.
func cmdHello(c *Call) {
	s := c.Sess
	ver, ok := helloVersion(c)
	if !ok {
		return
	}
	name, setName, ok := helloOptions(c)
	if !ok {
		return
	}
	if !s.authed {
		c.W.Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
		return
	}
	if setName {
		s.ci.name.Store(&name)
	}
	if ver != 0 {
		s.proto = int(ver)
		s.ci.proto.Store(int32(ver))
		c.W.Proto = s.proto
	}
	writeHello(c.W, s)
}

// helloVersion is HELLO's protover, 0 if it has none (the protocol stays),
// or false once it has answered one that is not 2 or 3 with Redis's error.
func helloVersion(c *Call) (int64, bool) {
	if len(c.Args) < 2 {
		return 0, true
	}
	v, ok := parseInt(c.Args[1])
	if !ok {
		c.W.Error("ERR Protocol version is not an integer or out of range")
		return 0, false
	}
	if v < 2 || v > 3 {
		c.W.Error("NOPROTO unsupported protocol version")
		return 0, false
	}
	return v, true
}

// helloOptions reads HELLO's options after protover in order: AUTH logs
// the connection in as it is read, and SETNAME's name is returned, to be
// set once every check has passed. It is false once it has answered a
// wrong password, a bad name or an unknown option.
func helloOptions(c *Call) (name string, setName, ok bool) {
	for j := 2; j < len(c.Args); j++ {
		more := len(c.Args) - 1 - j
		switch opt := string(c.Args[j]); {
		case strings.EqualFold(opt, "auth") && more >= 2:
			if !c.Sess.login(c.Args[j+1], c.Args[j+2]) {
				c.W.Error(errWrongPass)
				return "", false, false
			}
			j += 2
		case strings.EqualFold(opt, "setname") && more >= 1:
			if !validName(c.Args[j+1]) {
				c.W.Error(errClientName)
				return "", false, false
			}
			name, setName = string(c.Args[j+1]), true
			j++
		default:
			c.W.Error("ERR Syntax error in HELLO option '" + cString(c.Args[j], len(c.Args[j])) + "'")
			return "", false, false
		}
	}
	return name, setName, true
}

// writeHello writes HELLO's reply, the server's facts as Redis 7.0 gives
// them, in the protocol the connection now speaks (a map in RESP3).
func writeHello(w *Writer, s *session) {
	w.Map(7)
	w.BulkString("server")
	w.BulkString("redis")
	w.BulkString("version")
	w.BulkString(redisVersion)
	w.BulkString("proto")
	w.Int(int64(s.proto))
	w.BulkString("id")
	w.Int(s.ci.id)
	w.BulkString("mode")
	w.BulkString("standalone")
	w.BulkString("role")
	w.BulkString("master")
	w.BulkString("modules")
	w.Array(0)
}

// cmdAuth is AUTH [username] password.
func cmdAuth(c *Call) {
	if len(c.Args) > 3 {
		c.W.Error(ErrSyntax)
		return
	}
	pass := c.Sess.srv.password()
	if len(c.Args) == 2 && pass == "" {
		c.W.Error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
		return
	}
	user := []byte("default")
	if len(c.Args) == 3 {
		user = c.Args[1]
	}
	if !c.Sess.login(user, c.Args[len(c.Args)-1]) {
		c.W.Error(errWrongPass)
		return
	}
	c.W.OK()
}

// login checks a user and password as Redis's default user has them (no
// other users: ACL is out of scope) and, if they are right, authenticates
// the connection.
func (s *session) login(user, pass []byte) bool {
	want := s.srv.password()
	if string(user) != "default" {
		return false
	}
	if want != "" && subtle.ConstantTimeCompare(pass, []byte(want)) != 1 {
		return false
	}
	s.authed = true
	s.p.strict = false
	return true
}

// password is requirepass in force ("" for none).
func (srv *server) password() string {
	if p := srv.cfg.requirePass.Load(); p != nil {
		return *p
	}
	return ""
}

const errClientName = "ERR Client names cannot contain spaces, newlines or special characters."

// validName is Redis's rule for a client name: printable ASCII, no space.
func validName(b []byte) bool {
	for _, c := range b {
		if c < '!' || c > '~' {
			return false
		}
	}
	return true
}
