package chat

import (
	"time"

	"async_server/behaviors/chat/chatpb"
)

// This file is the session's side of cluster mode: its room is a grain
// (grain.go), maybe on another node, so its lines go as a chatpb.Say sent
// with the connection as sender (remote carries protobuf only, and a
// messages.ServiceRequest is not), answered by a chatpb.SayHeard; and the
// grain may move (roomMoving, roomMoved).

// grainSay marks the IDs of says to a grain, so that no ID of the
// connection's own requests (Conn.Request counts from 1) is ever taken for
// one.
const grainSay = 1 << 63

// sayToGrain sends the lines said to the room's grain and returns the say's ID.
func (c *session) sayToGrain(hold time.Duration) uint64 {
	c.grainN++
	id := grainSay | c.grainN
	c.conn.Send(c.roomPID, &chatpb.Say{Id: id, Lines: c.said, HoldNanos: int64(hold)})
	return id
}

// onSayHeard is the grain's answer to a say: the lines waiting for it run.
func (c *session) onSayHeard(m *chatpb.SayHeard) error {
	if !c.sayAnswered(m.GetId()) {
		return nil // a say given up (lost)
	}
	return c.runQueued()
}

// onRoomMoving: the room's grain was lost. The says it had not answered are
// given up, and lines said until it is back are refused (noRoom).
func (c *session) onRoomMoving(m *roomMoving) error {
	if m.Room != c.room {
		return nil
	}
	c.roomPID = nil
	if err := c.write(m.Line); err != nil {
		return err
	}
	return c.lost()
}

// onRoomMoved: the room's grain is back, with this connection in it.
func (c *session) onRoomMoved(m *roomMoved) error {
	if m.Room != c.room {
		return nil
	}
	c.roomPID, c.grain = m.PID, true
	return c.write("* back in " + m.Room + "\n")
}

// onNickLost: the rooms service gave the connection another nick.
func (c *session) onNickLost(m *nickLost) error {
	c.nick = m.Nick
	return c.write(m.Line)
}

// noRoom is why a line cannot go to a room now.
func (c *session) noRoom() string {
	if c.room != "" {
		return "room " + c.room + " is moving; try again in a moment"
	}
	return errNoRoom
}
