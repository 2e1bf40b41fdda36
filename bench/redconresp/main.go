// Command redconresp is the plain Go reference for respbench: a Redis-protocol
// server on github.com/tidwall/redcon, a goroutine per connection that parses
// each read's commands and writes their replies in one write, over one
// mutex-guarded map. It knows just the commands redis-benchmark's default
// tests send (PING SET GET INCR LPUSH LPOP SADD HSET ZADD MSET, CONFIG GET),
// so it measures what a Go server without actors, services or limits spends
// per request, the floor our design adds its layers to; it is not a server
// to use. Its sorted sets keep no order (redis-benchmark only adds).
//
//	go run ./redconresp [port]   (default 6380)
package main

import (
	"log"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/tidwall/redcon"
)

// store is the key space: one map of values (string: []byte, list: *list,
// set, hash and zset: maps), under one lock, as Redis's one thread.
type store struct {
	mu   sync.Mutex
	keys map[string]any
}

// list keeps its elements right to left, so that LPUSH and LPOP are appends
// and truncations at the slice's end.
type list struct{ rev [][]byte }

const wrongType = "WRONGTYPE Operation against a key holding the wrong kind of value"

func main() {
	port := "6380"
	if len(os.Args) > 1 {
		port = os.Args[1]
	}
	s := &store{keys: make(map[string]any)}
	log.Fatal(redcon.ListenAndServe("127.0.0.1:"+port, s.handle, nil, nil))
}

// handle runs one command; redcon calls it for each command of a read and
// writes the replies of the read together.
func (s *store) handle(conn redcon.Conn, cmd redcon.Command) {
	name := strings.ToLower(string(cmd.Args[0]))
	args := cmd.Args[1:]
	if name == "ping" {
		conn.WriteString("PONG")
		return
	}
	if name == "config" && len(args) == 2 { // CONFIG GET name: what redis-benchmark asks, as unset
		conn.WriteArray(2)
		conn.WriteBulk(args[1])
		conn.WriteBulkString("")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case name == "set" && len(args) == 2:
		s.keys[string(args[0])] = clone(args[1])
		conn.WriteString("OK")
	case name == "mset" && len(args) > 0 && len(args)%2 == 0:
		for i := 0; i < len(args); i += 2 {
			s.keys[string(args[i])] = clone(args[i+1])
		}
		conn.WriteString("OK")
	case name == "get" && len(args) == 1:
		s.get(conn, args[0])
	case name == "incr" && len(args) == 1:
		s.incr(conn, args[0])
	case name == "lpush" && len(args) >= 2:
		s.lpush(conn, args[0], args[1:])
	case name == "lpop" && len(args) == 1:
		s.lpop(conn, args[0])
	case name == "sadd" && len(args) >= 2:
		s.sadd(conn, args[0], args[1:])
	case name == "hset" && len(args) >= 3 && len(args)%2 == 1:
		s.hset(conn, args[0], args[1:])
	case name == "zadd" && len(args) >= 3 && len(args)%2 == 1:
		s.zadd(conn, args[0], args[1:])
	default:
		conn.WriteError("ERR unknown command or wrong number of arguments for '" + name + "'")
	}
}

// lpush is LPUSH key vals...: each value goes to the list's head in turn,
// and the reply is the list's length.
func (s *store) lpush(conn redcon.Conn, key []byte, vals [][]byte) {
	l, ok := kind[*list](s, key, func() *list { return &list{} })
	if !ok {
		conn.WriteError(wrongType)
		return
	}
	for _, v := range vals {
		l.rev = append(l.rev, clone(v))
	}
	conn.WriteInt(len(l.rev))
}

// sadd is SADD key members...: the reply is how many members were new.
func (s *store) sadd(conn redcon.Conn, key []byte, members [][]byte) {
	m, ok := kind[map[string]struct{}](s, key, func() map[string]struct{} { return map[string]struct{}{} })
	if !ok {
		conn.WriteError(wrongType)
		return
	}
	added := 0
	for _, v := range members {
		if _, in := m[string(v)]; !in {
			m[string(v)] = struct{}{}
			added++
		}
	}
	conn.WriteInt(added)
}

// hset is HSET key field value...: every field is set, and the reply is
// how many fields were new.
func (s *store) hset(conn redcon.Conn, key []byte, pairs [][]byte) {
	m, ok := kind[map[string][]byte](s, key, func() map[string][]byte { return map[string][]byte{} })
	if !ok {
		conn.WriteError(wrongType)
		return
	}
	added := 0
	for i := 0; i < len(pairs); i += 2 {
		if _, in := m[string(pairs[i])]; !in {
			added++
		}
		m[string(pairs[i])] = clone(pairs[i+1])
	}
	conn.WriteInt(added)
}

func (s *store) get(conn redcon.Conn, key []byte) {
	switch v := s.keys[string(key)].(type) {
	case nil:
		conn.WriteNull()
	case []byte:
		conn.WriteBulk(v)
	default:
		conn.WriteError(wrongType)
	}
}

func (s *store) incr(conn redcon.Conn, key []byte) {
	var n int64
	switch v := s.keys[string(key)].(type) {
	case nil:
	case []byte:
		var err error
		if n, err = strconv.ParseInt(string(v), 10, 64); err != nil {
			conn.WriteError("ERR value is not an integer or out of range")
			return
		}
	default:
		conn.WriteError(wrongType)
		return
	}
	n++
	s.keys[string(key)] = strconv.AppendInt(nil, n, 10)
	conn.WriteInt64(n)
}

func (s *store) lpop(conn redcon.Conn, key []byte) {
	switch l := s.keys[string(key)].(type) {
	case nil:
		conn.WriteNull()
	case *list:
		v := l.rev[len(l.rev)-1]
		l.rev = l.rev[:len(l.rev)-1]
		if len(l.rev) == 0 {
			delete(s.keys, string(key))
		}
		conn.WriteBulk(v)
	default:
		conn.WriteError(wrongType)
	}
}

func (s *store) zadd(conn redcon.Conn, key []byte, pairs [][]byte) {
	scores := make([]float64, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		f, err := strconv.ParseFloat(string(pairs[i]), 64)
		if err != nil {
			conn.WriteError("ERR value is not a valid float")
			return
		}
		scores = append(scores, f)
	}
	z, ok := kind[map[string]float64](s, key, func() map[string]float64 { return map[string]float64{} })
	if !ok {
		conn.WriteError(wrongType)
		return
	}
	added := 0
	for i := 1; i < len(pairs); i += 2 {
		if _, in := z[string(pairs[i])]; !in {
			added++
		}
		z[string(pairs[i])] = scores[i/2]
	}
	conn.WriteInt(added)
}

// kind returns key's value as a T, made by fresh if the key is missing, and
// false if the key holds another type.
func kind[T any](s *store, key []byte, fresh func() T) (T, bool) {
	switch v := s.keys[string(key)].(type) {
	case nil:
		t := fresh()
		s.keys[string(key)] = t
		return t, true
	case T:
		return v, true
	default:
		var zero T
		return zero, false
	}
}

// clone copies b: redcon's arguments point into its read buffer.
func clone(b []byte) []byte { return append([]byte(nil), b...) }
