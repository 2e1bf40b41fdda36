//go:build !linux

package main

import (
	"errors"
	"net"
	"sync/atomic"
)

// loopTrips needs epoll: elsewhere, run the client with -loop=false.
func loopTrips([]net.Conn, int, *atomic.Bool, *atomic.Int64) error {
	return errors.New("the loop client needs Linux (epoll): use -loop=false")
}
