package chat

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pcluster "github.com/asynkron/protoactor-go/cluster"

	"async_server/behaviors/chat/chatpb"
	"async_server/behaviors/protocol"
	"async_server/messages"
	"async_server/supervision"
)

// session is one connection of the chat behavior, a message-driven connection
// behavior: line-based chat rooms for nc
// (-behavior chat). Each line is a command or a chat line:
//
//	/nick NAME   take a nick (every connection starts as guest-N)
//	/join ROOM   enter ROOM (made on first join), leaving the room you are in
//	/leave       leave your room
//	/who         the members of your room, you included
//	/rooms       every room, with its member count
//	/quit        close the connection
//	anything     goes to the other members of your room as "[room] nick: text"
//
// Members see "* bob joined lobby", "* bob left lobby" and "* alice is now bob"
// for the others in their room. Bad input gets one "error: ..." line and the
// connection goes on; a line over maxChatLine is TooLarge (the lines before
// it answered, then an error line, then the connection closes: lineTooLong).
//
// The connection owns only what it needs to talk: its nick, its room's PID.
// Nicks and membership belong to the rooms service (rooms.go), which it
// asks with Conn.Request; lines go straight to the room actor (room.go)
// as a Conn.Request the room answers once it has sent them on (at once, or
// later for a flooding sender: flood.go), and what rooms send back arrives in
// HandleMessage. While a request is unanswered (to the rooms service or to the
// room), later lines wait (queued), so input is handled in the order it was
// typed: "/join lobby" then "hi" says hi in lobby, and a command waits until
// the lines said before it have reached the room. Chat lines do not wait for
// the room's answer to the lines before them unless maxSays batches are
// unanswered, or one of them is held back by flood control: so a sender has
// at most maxSays batches queued at its room (a room's input is bounded), and
// a pipelining sender does not pay a round trip to the room per batch.
type session struct {
	conn    protocol.Conn
	opts    *Options // flood control; shared by every session, read only
	now     func() time.Time
	rooms   *actor.PID // the rooms service
	nick    string     // as the rooms service last confirmed it
	room    string     // "" when in no room
	roomPID *actor.PID // the room actor lines go to; nil when in no room (or its grain moves)
	grain   bool       // roomPID is a grain (cluster mode): session_cluster.go
	grainN  uint64     // the last grain say's number
	greeted bool       // the welcome line has been written

	partial  []byte    // the start of a line whose newline has not arrived
	waiting  uint64    // the ID of the unanswered request to the rooms service; 0: none
	says     []uint64  // the IDs of the unanswered says to the room, at most maxSays
	heldSay  uint64    // the one of them the room holds (flood control): one line; 0: none
	flood    flood     // the flood control's timer
	queued   []string  // lines received while waiting, oldest first
	queuedN  int       // what they cost: queuedCost each
	reported int       // what was last reported held (report)
	said     []string  // chat lines not yet sent to the room: they go together (flush)
	saidDue  time.Time // when the room may send them on (flood.due at the last)
	quit     bool      // /quit: ignore the rest
	closing  error     // a line too long, owed replies first (lineTooLong): ignore the rest
}

var (
	_ protocol.Protocol       = (*session)(nil)
	_ protocol.MessageHandler = (*session)(nil)
	_ protocol.Starter        = (*session)(nil)
	_ protocol.InputGate      = (*session)(nil)
)

const (
	// maxChatLine bounds one line: a chat line, not a file. Over it: TooLarge.
	maxChatLine = 4 << 10
	// maxGated is what the session queues before its connection stops
	// reading (ReadyForInput): a read of 16 KiB takes it there.
	maxGated = 16 << 10
	// maxRead is the most input one Received brings.
	maxRead = protocol.MaxReceived
	// maxQueued bounds the input held while a request is unanswered: over
	// it, TooLarge. A client the connection stops reading at maxGated never
	// gets there: one more read of the costliest lines ("x\n": an empty line
	// is not queued) adds maxRead/2 of queuedCost 33, 264 KiB, to under
	// maxGated. Only input that ignores the gate (a behavior's test) can.
	maxQueued = maxGated + maxRead/2*(1+lineOverhead)
	// maxSays is how many batches of lines (each at most a read, maxGated)
	// a session may have unanswered at its room: more than a few, so a
	// sender that pipelines does not wait a round trip to the room per batch
	// (the chat fan-out benchmark against the plain server: one, about 1.7;
	// 3, 1.18-1.95; 8, 1.85-2.41; without a bound, 2.21-2.63: docs/benchmarks.md),
	// and bounded, so one sender cannot make a room queue more than 128 KiB
	// for it.
	maxSays = 8
)

// queuedCost is what a queued line counts against maxQueued: its bytes and
// what holding it costs besides (a string header and its slot in queued), so
// that a flood of empty lines is bounded as surely as one of long ones.
func queuedCost(line string) int { return len(line) + lineOverhead }

// lineOverhead is what a queued line costs besides its bytes.
const lineOverhead = 32

const chatHelp = "commands: /nick NAME, /join ROOM, /leave, /who, /rooms, /quit"

var (
	errLineTooLong = errors.New("line over 4096 bytes")
	errFlooding    = errors.New("input over 280 KiB while waiting for the rooms service")
)

// New returns the chat behavior's Setup: a session per connection and the
// rooms service they talk to, with flood control o; in cluster mode the
// rooms are grains (GrainKind).
func New(o Options) protocol.Setup { return newSetup(o, clusterPlacer) }

// newSetup is New with the rooms service's placer (tests give their own).
func newSetup(o Options, placerOf func(*actor.ActorSystem) placer) protocol.Setup {
	opts := &o
	return protocol.Setup{
		Factory: func(c protocol.Conn) protocol.Protocol {
			return &session{conn: c, opts: opts, now: time.Now, rooms: c.Service(roomsServiceName)}
		},
		Services: []protocol.Service{{Name: roomsServiceName,
			New: func() actor.Actor { return newRoomsService(placerOf) }}},
		Grains: []*pcluster.Kind{NewGrainKind(), NewNickKind()},
	}
}

// Started registers the connection's default nick (guest-N, from its conn-N)
// with the rooms service; the welcome line follows its answer.
func (c *session) Started() error {
	c.nick = "guest-" + strings.TrimPrefix(c.conn.ID(), "conn-")
	c.request(&register{Nick: c.nick})
	return nil
}

// Received splits input into lines and handles each in order. The chat lines
// among them go to the room together (flush): a peer's lines that arrive in one
// read leave in one message, and reach each member in one write.
func (c *session) Received(data []byte) error {
	defer c.report()
	defer c.flush()
	for len(data) > 0 && !c.quit && c.closing == nil {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			if len(c.partial)+len(data) > maxChatLine {
				return c.lineTooLong()
			}
			c.partial = append(c.partial, data...)
			return nil
		}
		line := data[:i]
		if len(c.partial) > 0 {
			line = append(c.partial, line...)
		}
		if len(line) > maxChatLine {
			return c.lineTooLong()
		}
		data = data[i+1:]
		text := string(bytes.TrimSuffix(line, []byte("\r")))
		c.partial = c.partial[:0]
		if err := c.input(text); err != nil {
			return err
		}
	}
	return nil
}

// input charges a line to the flood control, then runs it now, or queues it
// behind the unanswered request.
func (c *session) input(line string) error {
	if c.flood.charge(c.opts, line, c.now()) {
		return c.tooLarge(errExcessFlood)
	}
	if line == "" {
		return nil // nothing to run: charged, as IRC charges it, but not held
	}
	if len(c.queued) == 0 && c.ready(line) {
		return c.run(line)
	}
	if c.queuedN += queuedCost(line); c.queuedN > maxQueued {
		return c.tooLarge(errFlooding)
	}
	c.queued = append(c.queued, line)
	return nil
}

// ready reports whether line may run now. A command may when no request is
// unanswered: it first sends the lines said before it to the room, and waits
// for the room's answers. A chat line may when the rooms service owes no
// answer, the room has room for another say (canSay), and no line said
// before it waits for the flood control (saidHeld).
func (c *session) ready(line string) bool {
	if c.waiting != 0 {
		return false
	}
	if !strings.HasPrefix(line, "/") {
		return c.canSay() && !c.saidHeld()
	}
	if len(c.said) > 0 {
		c.flush()
	}
	return len(c.says) == 0
}

// canSay reports whether one more say may go to the room: fewer than maxSays
// are unanswered, and none of them is held back by flood control (a
// flooder's next lines wait for the held one, as IRC servers stop reading).
func (c *session) canSay() bool { return len(c.says) < maxSays && c.heldSay == 0 }

// saidHeld reports whether the lines said, not yet sent, wait for the flood
// control: a line past the burst, which goes alone (say).
func (c *session) saidHeld() bool { return len(c.said) > 0 && hold(c.saidDue, c.now()) > 0 }

// run handles one line.
func (c *session) run(line string) error {
	cmd, err := parseLine(line)
	if err != nil {
		return c.write("error: " + err.Error() + "\n")
	}
	switch cmd.name {
	case "":
		if cmd.arg == "" {
			return nil // an empty line: nothing to say
		}
		if c.roomPID == nil {
			return c.write("error: " + c.noRoom() + "\n")
		}
		c.say(cmd.arg)
	case "nick":
		c.request(&setNick{Nick: cmd.arg})
	case "join":
		c.request(&joinRoom{Room: cmd.arg})
	case "leave":
		c.request(&leaveRoom{})
	case "who":
		c.request(&listMembers{})
	case "rooms":
		c.request(&listRooms{})
	case "quit":
		c.flush()
		c.quit = true
		c.conn.Close()
		return c.write("* bye\n")
	}
	return nil
}

// say adds a chat line to those the room gets at the next flush. A line
// past the flood control's burst goes alone, held: the lines within it go
// first (at once), and the lines after it wait for its answer (ready), so
// that each goes on when its own penalty allows.
func (c *session) say(line string) {
	now := c.now()
	due := c.flood.send(c.opts, line, now)
	if len(c.said) > 0 && hold(due, now) > 0 {
		c.flush()
	}
	c.said = append(c.said, line)
	c.saidDue = due
}

// request asks the rooms service. The lines said before it have gone to the
// room (ready), or are lost with it (roomsRestarted).
func (c *session) request(body any) {
	c.said = nil
	c.waiting = c.conn.Request(c.rooms, body)
}

// flush sends the chat lines said since the last flush to the room, in one
// request, unless the rooms service owes an answer or the room has no room
// for another say (canSay): they go after it.
func (c *session) flush() {
	if c.roomPID == nil {
		c.said = nil
	}
	if len(c.said) == 0 || c.waiting != 0 || !c.canSay() {
		return
	}
	wait := hold(c.saidDue, c.now())
	var id uint64
	if c.grain {
		id = c.sayToGrain(wait)
	} else {
		id = c.conn.Request(c.roomPID, &say{Lines: c.said, Hold: wait})
	}
	c.says = append(c.says, id)
	if wait > 0 {
		c.heldSay = id
	}
	c.said = nil
}

// HandleMessage handles what the rooms service and rooms send, then closes
// the connection if it is closing (tooLarge) and is owed nothing more.
func (c *session) HandleMessage(msg any) error {
	if err := c.handle(msg); err != nil {
		return err
	}
	if c.closing != nil && !c.owed() {
		return c.tooLarge(c.closing)
	}
	return nil
}

// handle is HandleMessage's dispatch.
func (c *session) handle(msg any) error {
	switch m := msg.(type) {
	case *lineSaid:
		_, err := c.conn.Write(m.Line) // shared with the other members: written, never changed
		return err
	case *messages.ServiceReply:
		return c.onReply(m)
	case *roomClosed:
		if m.Room == c.room {
			c.room, c.roomPID = "", nil
		}
		if err := c.write("* room " + m.Room + " closed (it failed too often); /join it again\n"); err != nil {
			return err
		}
		return c.lost()
	case *roomRestarted:
		if err := c.write(m.Line); err != nil {
			return err
		}
		return c.lost()
	case *chatpb.Line:
		return c.write(m.GetLine())
	case *chatpb.SayHeard:
		return c.onSayHeard(m)
	case *roomMoving:
		return c.onRoomMoving(m)
	case *roomMoved:
		return c.onRoomMoved(m)
	case *nickLost:
		return c.onNickLost(m)
	case *roomsRestarted:
		// The request in flight, if any, may have died with the old instance:
		// this one replaces it, and a late answer to it is ignored.
		c.request(&register{Nick: c.nick, Room: c.room})
		return c.write("* the rooms service restarted; rejoining\n")
	}
	return nil
}

// onReply shows the answer to the request in flight, then runs the lines that
// waited for it until one of them makes a request again.
func (c *session) onReply(m *messages.ServiceReply) error {
	switch {
	case m.ID == 0:
		return nil
	case m.ID == c.waiting:
		c.waiting = 0
	case c.sayAnswered(m.ID):
	default:
		return nil // superseded (see roomsRestarted), or a say given up (lost)
	}
	if err := c.write(c.answer(m.Body)); err != nil {
		return err
	}
	return c.runQueued()
}

// sayAnswered forgets the unanswered say id and reports whether it was one.
// The room answers in order but for held says (a timer), so id is looked up.
func (c *session) sayAnswered(id uint64) bool {
	for i, s := range c.says {
		if s == id {
			c.says = append(c.says[:i], c.says[i+1:]...)
			if id == c.heldSay {
				c.heldSay = 0
			}
			return true
		}
	}
	return false
}

// lost gives up on the says the room may have lost (it restarted, or
// closed): the lines queued behind them run.
func (c *session) lost() error {
	if len(c.says) == 0 {
		return nil
	}
	c.says, c.heldSay = c.says[:0], 0
	return c.runQueued()
}

// runQueued runs the lines that waited for a request until one of them makes
// a request again, then sends what they said.
func (c *session) runQueued() error {
	defer c.report()
	defer c.flush()
	for len(c.queued) > 0 && !c.quit && c.ready(c.queued[0]) {
		line := c.queued[0]
		c.queued = c.queued[1:]
		c.queuedN -= queuedCost(line)
		if err := c.run(line); err != nil {
			return err
		}
	}
	return nil
}

// answer applies a reply to the connection's state and returns the line that
// tells the peer.
func (c *session) answer(body any) string {
	switch m := body.(type) {
	case *registered:
		c.nick, c.roomPID, c.grain = m.Nick, m.Room, m.Grain
		if m.Room == nil {
			c.room = ""
		}
		if !c.greeted {
			c.greeted = true
			return "* welcome, you are " + c.nick + "; " + chatHelp + "\n"
		}
		return "* you are " + c.nick + "\n"
	case *nickSet:
		c.nick = m.Nick
		return "* you are now " + m.Nick + "\n"
	case *roomJoined:
		c.room, c.roomPID, c.grain = m.Room, m.PID, m.Grain
		return fmt.Sprintf("* you joined %s (%s)\n", m.Room, plural(m.Members, "member"))
	case *roomLeft:
		c.room, c.roomPID = "", nil
		return "* you left " + m.Room + "\n"
	case *memberList:
		return "* in " + m.Room + ": " + strings.Join(m.Nicks, ", ") + "\n"
	case *roomList:
		if len(m.Silent) > 0 {
			return strings.TrimSuffix(formatRooms(m.Rooms), "\n") + " (not counted: nodes " + strings.Join(m.Silent, ", ") + " did not answer)\n"
		}
		return formatRooms(m.Rooms)
	case *refused:
		return "error: " + m.Reason + "\n"
	case *sayHeard:
		return ""
	}
	return fmt.Sprintf("error: unexpected answer %T\n", body)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func formatRooms(rooms []roomCount) string {
	if len(rooms) == 0 {
		return "* no rooms; /join ROOM makes one\n"
	}
	parts := make([]string, len(rooms))
	for i, r := range rooms {
		parts[i] = fmt.Sprintf("%s (%d)", r.Name, r.Members)
	}
	return "* rooms: " + strings.Join(parts, ", ") + "\n"
}

// ReadyForInput implements protocol.InputGate: while a request is
// unanswered (the room's answer to lines of a flooding sender comes late),
// the session takes one read's worth of lines more and then no more, so TCP
// pushes back on the sender instead of its lines piling up here.
func (c *session) ReadyForInput() bool { return c.queuedN < maxGated && c.closing == nil }

// report tells the connection what the session holds of its peer's input,
// for the server's memory budget (protocol.Conn.Hold): the lines waiting for
// a request, and the start of a line.
func (c *session) report() {
	if n := c.queuedN + cap(c.partial); n != c.reported {
		c.conn.Hold(n)
		c.reported = n
	}
}

// lineTooLong fails the connection for a line over maxChatLine (TooLarge,
// Stop) once the lines before it are answered, as the peer's EOF does
// (doc.go): until then the session keeps what it queued and takes no more
// input, and HandleMessage fails it once nothing is owed. A flooder's limits
// (maxQueued, ExcessFlood) close at once instead (tooLarge): what it queued
// is the flood.
func (c *session) lineTooLong() error {
	c.partial = nil
	if c.flush(); c.owed() {
		c.closing = errLineTooLong
		return nil
	}
	return c.tooLarge(errLineTooLong)
}

// owed reports whether a line the peer sent still waits for an answer.
func (c *session) owed() bool {
	return c.waiting != 0 || len(c.says) > 0 || len(c.queued) > 0 || len(c.said) > 0
}

// tooLarge writes err's line and fails the connection: TooLarge, Stop.
func (c *session) tooLarge(err error) error {
	if werr := c.write("error: " + err.Error() + "; closing\n"); werr != nil {
		return werr
	}
	return supervision.New(supervision.TooLarge, "chat", err)
}

func (c *session) write(s string) error {
	if s == "" {
		return nil
	}
	_, err := c.conn.Write([]byte(s))
	return err
}

// Held implements protocol.Holder: the lines that wait for the request in
// flight, and the start of a line whose newline has not arrived.
func (c *session) Held() []byte {
	var held []byte
	for _, line := range c.queued {
		held = append(append(held, line...), '\n')
	}
	return append(held, c.partial...)
}

// TimedOut says goodbye before the idle connection closes.
func (c *session) TimedOut() { _ = c.write("* idle timeout; bye\n") }
