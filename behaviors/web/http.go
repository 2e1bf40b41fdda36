package web

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"

	"async_server/behaviors/protocol"
)

// This file is the http behavior's public face: its options, the constructor a Go
// user calls to serve their own http.Handler, and the static-file handler the
// registry entry "http" serves. The protocol itself is in http_conn.go (framing,
// limits, deadlines) and http_response.go (the http.ResponseWriter).

// Options are the http behavior's settings.
//
// One rule for every limit: 0 disables it (no limit, no deadline), a negative
// value is an error. So Options{} serves with no limits at all, which suits a
// trusted client and nothing else: start from DefaultOptions, as the command
// line does, and change what you need.
type Options struct {
	// Root is the directory the registry's "http" behavior serves (-root); empty
	// serves the embedded default site. HTTP ignores it: it serves its handler.
	Root string

	// MaxBody is the largest request body, in bytes, buffered before the handler
	// runs (-max-body); a larger one is answered 413. 0: no limit.
	MaxBody int64

	// MaxHeaderBytes bounds the request line and header block (-max-header-bytes);
	// a larger one is answered 431. 0: no limit.
	MaxHeaderBytes int

	// HeaderTimeout is how long a request head may take to arrive
	// (-header-timeout), counted from the connection's start for its first
	// request and from the first byte for later ones, as net/http's
	// ReadHeaderTimeout; a body must make progress at least this often (and
	// keep up MinBodyRate after that long). A peer
	// that sent nothing is closed quietly; one in the middle of a request is
	// answered 408 and closed: slowloris protection. 0: no deadline.
	HeaderTimeout time.Duration

	// MinBodyRate is the slowest a request body may arrive, in bytes per second
	// (-min-body-rate), after a grace of HeaderTimeout from the end of its
	// head: as Apache's mod_reqtimeout MinRate has it, each byte moves the
	// deadline on by 1/MinBodyRate of a second, but never to more than
	// HeaderTimeout ahead (bytes sent fast earn no more credit than that), so a
	// body of n bytes is whole within HeaderTimeout + n/MinBodyRate and one
	// that stalls after a fast start is timed out as one slow from its start. Without it a client sending a byte every
	// HeaderTimeout/2 holds its connection (and a -max-conns slot: a connection
	// mid-body is not idle) for as long as it likes. Past it: 408 and close. 0:
	// no minimum; no effect when HeaderTimeout is 0.
	MinBodyRate int64

	// KeepAliveTimeout is how long a connection may wait for the first byte of
	// its next request after a response (-keepalive-timeout), as net/http's
	// IdleTimeout; past it the connection is closed quietly. 0: no deadline
	// (the server's -idle-timeout still applies).
	KeepAliveTimeout time.Duration
}

// The defaults of Options.
const (
	// DefaultMaxBody is 1 MiB: bodies are buffered whole before the handler runs
	// (held by their declared length, as they arrive: http_body.go), so this
	// times -max-conns bounds the memory bodies can take; a static site needs
	// no bodies at all.
	DefaultMaxBody = 1 << 20

	// DefaultMaxHeaderBytes is net/http's own limit (http.DefaultMaxHeaderBytes).
	DefaultMaxHeaderBytes = http.DefaultMaxHeaderBytes

	// DefaultHeaderTimeout is 10 s: a real client sends its head in one packet, so
	// this is only ever reached by a broken or hostile one.
	DefaultHeaderTimeout = 10 * time.Second

	// DefaultMinBodyRate is 1 KiB/s: a -max-body of 1 MiB must arrive within
	// about 17 minutes, which a modem would meet; a client holding a connection
	// open with it pays for it in bandwidth.
	DefaultMinBodyRate = 1 << 10

	// DefaultKeepAliveTimeout is 60 s: long enough for a browser to reuse its
	// connection for the next click, short enough that idle connections do not
	// hold slots for the 5 minutes of -idle-timeout (and at the connection limit
	// an idle one is closed first anyway: see protocol.Conn.SetIdle).
	DefaultKeepAliveTimeout = 60 * time.Second
)

// DefaultOptions returns the defaults the command line documents.
func DefaultOptions() Options {
	return Options{
		MaxBody:          DefaultMaxBody,
		MaxHeaderBytes:   DefaultMaxHeaderBytes,
		HeaderTimeout:    DefaultHeaderTimeout,
		MinBodyRate:      DefaultMinBodyRate,
		KeepAliveTimeout: DefaultKeepAliveTimeout,
	}
}

// validate names the first option that cannot work, by its command-line flag.
func (o Options) validate() error {
	switch {
	case o.MaxBody < 0:
		return fmt.Errorf("-max-body: %d is negative", o.MaxBody)
	case o.MaxHeaderBytes < 0:
		return fmt.Errorf("-max-header-bytes: %d is negative", o.MaxHeaderBytes)
	case o.HeaderTimeout < 0:
		return fmt.Errorf("-header-timeout: %v is negative", o.HeaderTimeout)
	case o.MinBodyRate < 0:
		return fmt.Errorf("-min-body-rate: %d is negative", o.MinBodyRate)
	case o.KeepAliveTimeout < 0:
		return fmt.Errorf("-keepalive-timeout: %v is negative", o.KeepAliveTimeout)
	}
	return nil
}

// over reports whether n is over limit, where a limit of 0 is no limit.
func over[T int | int64](n, limit T) bool { return limit > 0 && n > limit }

// New returns the protocol.Factory of an http behavior that serves h: HTTP/1.0 and 1.1
// with keep-alive and pipelining, parsed by net/http's own http.ReadRequest. Use it
// as actors.Config.Protocol to run any handler under a supervised connection
// actor. Options follow Options' rule (0: no limit); a negative one, which
// the command line refuses, counts as 0 here.
func New(h http.Handler, o Options) protocol.Factory {
	opts := &o // one copy for every connection: an idle one holds only a pointer
	return func(c protocol.Conn) protocol.Protocol { return newHTTPConn(c, h, opts) }
}

// Static is the registry's "http": static files from o.Root, or the embedded
// default site. Its Release closes the root directory.
func Static(o Options) (protocol.Setup, error) {
	if err := o.validate(); err != nil {
		return protocol.Setup{}, err
	}
	h, release, err := staticHandler(o.Root)
	if err != nil {
		return protocol.Setup{}, err
	}
	return protocol.Setup{Factory: New(h, o), Release: release, Busy: Busy, NotTLS: NotTLS}, nil
}

// NotTLS is the http behavior's answer to a request sent in the clear to an
// https listener (protocol.Setup.NotTLS): net/http's 400, for what looks like
// the start of a request (net/http's test, on the five bytes crypto/tls took
// for a record header); nothing for anything else. Static's Setup has it.
func NotTLS(head []byte) []byte {
	switch string(head) {
	case "GET /", "HEAD ", "POST ", "PUT /", "OPTIO":
		return notTLSReply
	}
	return nil
}

var notTLSReply = []byte("HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n")

// Busy is the http behavior's answer at the connection limit (-at-limit
// reject): 503 with Retry-After, as a load balancer expects, after the client
// has sent its request (see protocol.Busy.AfterInput). No Date header: a 5xx
// may go without one (RFC 9110, 6.6.1), and the bytes are made once. With
// New, set actors.Config.Busy to it.
var Busy = protocol.Busy{Reply: []byte("HTTP/1.1 503 Service Unavailable\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\n" +
	"Retry-After: 1\r\nConnection: close\r\nContent-Length: " + fmt.Sprint(len(busyText)) + "\r\n\r\n" +
	busyText), AfterInput: true}

const busyText = "503 Service Unavailable: server busy, try again later\n"

// site is the default site, served when no -root is given.
//
//go:embed site
var site embed.FS

// staticHandler serves the files under dir, or the embedded site when dir is
// empty, with http.FileServerFS: index.html, content types, Range and conditional
// requests come from the standard library. release closes dir (nil for the
// embedded site, which holds nothing open).
func staticHandler(dir string) (h http.Handler, release func() error, err error) {
	if dir == "" {
		sub, err := fs.Sub(site, "site")
		if err != nil {
			return nil, nil, err
		}
		return http.FileServerFS(sub), nil, nil
	}
	r, err := os.OpenRoot(dir) // fails unless dir is a directory we can open
	if err != nil {
		return nil, nil, fmt.Errorf("-root: %w", err)
	}
	return http.FileServerFS(rootFS{r}), r.Close, nil
}

// rootFS is a directory whose files are opened through an os.Root, so that no
// path, encoding or symlink reaches outside it.
//
// The os.Root is opened once, by staticHandler, and held until the server that
// owns the protocol.Factory releases it. Opening one per file (and closing it again) cost
// three system calls per open and six per request for "/" (the directory, then
// its index.html): about a sixth of the server's CPU under load. So the directory
// served is the one -root named at start: its contents are seen live, but a
// directory renamed over it later is not (as with a chroot).
type rootFS struct{ root *os.Root }

var _ fs.FS = rootFS{}

// Open implements fs.FS. A refusal that is not a system error (a path escaping
// the root through ".." or a symlink, an invalid name) is reported as
// fs.ErrPermission, which the file server answers 403, rather than as a failure of
// the server (500); a name with a NUL byte is not found (404), as http.Dir has it.
//
// Files are opened with O_NONBLOCK. Without it, package os puts every new
// descriptor into non-blocking mode to offer it to the network poller and, when
// the poller refuses it (as Linux does a regular file or a directory), back into
// blocking mode: four fcntl calls per file, eight per request for "/". Regular
// files and directories ignore the flag; a FIFO opened with it does not block
// the connection until some writer appears (the file server then answers 500:
// a FIFO cannot seek).
func (d rootFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) { // as os.Root.FS does
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	if strings.IndexByte(name, 0) >= 0 { // no file has such a name: 404, as http.Dir says
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	f, err := d.root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	var errno syscall.Errno
	if err != nil && !errors.As(err, &errno) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	if err != nil {
		return nil, err // not a nil *os.File in a non-nil fs.File
	}
	return f, nil
}
