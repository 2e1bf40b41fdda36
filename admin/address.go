package admin

import (
	"fmt"
	"net"
	"strconv"
)

// defaultHost is where the endpoint listens when -admin names no host:
// loopback, because whoever reaches the endpoint can break connections.
const defaultHost = "127.0.0.1"

// Address returns the HOST:PORT to listen on for an -admin value: HOST:PORT
// as given ("0.0.0.0:9090", "[::1]:9090"), or a bare port or ":PORT" on
// loopback. Port 0 picks a free port. Its error names the value.
func Address(s string) (string, error) {
	hostPort := s
	if _, err := strconv.Atoi(s); err == nil {
		hostPort = ":" + s
	}
	host, port, err := net.SplitHostPort(hostPort)
	if err != nil {
		return "", fmt.Errorf("%q is not HOST:PORT or PORT", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "", fmt.Errorf("%q: port %q is not a number from 0 to 65535", s, port)
	}
	if host == "" {
		host = defaultHost
	}
	return net.JoinHostPort(host, port), nil
}
