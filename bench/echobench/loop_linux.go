package main

import (
	"bytes"
	"fmt"
	"net"
	"runtime"
	"sync/atomic"
	"syscall"
)

// loopTrips is the client's loop mode: one goroutine on a thread of its own
// makes the round trips of every connection from one epoll instance, with
// non-blocking reads and writes on the sockets. A round trip costs it a read,
// a write and its share of an epoll_wait, where a goroutine per connection
// also reads once more to find the socket empty and parks and wakes: on one
// core the loop keeps up with a server on another, so that at 100
// connections the servers, not the client, set the pace.
func loopTrips(cs []net.Conn, size int, stop *atomic.Bool, total *atomic.Int64) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return err
	}
	defer syscall.Close(ep)
	msg := bytes.Repeat([]byte("e"), size)
	got, err := startTrips(ep, cs, msg)
	if err != nil {
		return err
	}
	events := make([]syscall.EpollEvent, len(cs))
	buf := make([]byte, size)
	for !stop.Load() {
		n, err := syscall.EpollWait(ep, events, 100)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		for _, ev := range events[:n] {
			if err := readTrip(int(ev.Fd), buf, got, msg, total); err != nil {
				return err
			}
		}
	}
	return nil
}

// startTrips adds each connection's socket to the epoll instance ep, to be
// read when readable, and sends each the first msg. It returns the buffers
// of the replies so far, one a socket, each empty with room for a reply.
func startTrips(ep int, cs []net.Conn, msg []byte) (map[int][]byte, error) {
	got := make(map[int][]byte, len(cs)) // each connection's reply so far
	for _, c := range cs {
		fd, err := socketFD(c)
		if err != nil {
			return nil, err
		}
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}
		if err := syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
			return nil, err
		}
		got[fd] = make([]byte, 0, len(msg))
		if err := writeAll(fd, msg); err != nil {
			return nil, err
		}
	}
	return got, nil
}

// readTrip reads what the readable socket fd has of its reply, up to the
// reply's end, into got[fd] (through buf, len(msg) bytes). Once the reply is
// whole it checks it is msg, counts the round trip in total and starts the
// next one; a socket with nothing to read after all is left for the next
// epoll_wait.
func readTrip(fd int, buf []byte, got map[int][]byte, msg []byte, total *atomic.Int64) error {
	size := len(msg)
	r, err := syscall.Read(fd, buf[:size-len(got[fd])])
	switch {
	case err == syscall.EAGAIN || err == syscall.EINTR:
		return nil
	case err != nil:
		return err
	case r == 0:
		return fmt.Errorf("the server closed a connection")
	}
	got[fd] = append(got[fd], buf[:r]...)
	if len(got[fd]) < size {
		return nil
	}
	if !bytes.Equal(got[fd], msg) {
		return fmt.Errorf("echo returned %q for %q", got[fd], msg)
	}
	got[fd] = got[fd][:0]
	total.Add(1)
	return writeAll(fd, msg)
}

// socketFD is c's socket. The connection stays open, and is not read or
// written through, while the loop uses it.
func socketFD(c net.Conn) (int, error) {
	rc, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		return 0, err
	}
	fd := -1
	if err := rc.Control(func(s uintptr) { fd = int(s) }); err != nil {
		return 0, err
	}
	return fd, nil
}

// writeAll writes p to the non-blocking socket fd; a round trip's few bytes
// go at once to a socket whose peer has read everything before.
func writeAll(fd int, p []byte) error {
	for len(p) > 0 {
		n, err := syscall.Write(fd, p)
		switch {
		case err == syscall.EINTR || err == syscall.EAGAIN:
			continue
		case err != nil:
			return err
		}
		p = p[n:]
	}
	return nil
}
