// Package web is the http behavior (-behavior http, the default): HTTP/1.0 and
// 1.1 over any http.Handler, each connection a supervised actor. New serves a
// handler of yours; Static, what the registry's "http" serves, static files
// from -root or, without it, an embedded page about the server.
//
// # The protocol
//
// HTTP/1.0 and 1.1 with keep-alive and pipelining, parsed by net/http's own
// http.ReadRequest (http_parse.go) and served through any
// http.Handler (http_response.go: Content-Length when known,
// chunked otherwise, HEAD without a body, "Connection: close" honoured; "OPTIONS
// *" is answered by the server, 200 and empty, as net/http's). Every complete
// request in a chunk of input is answered in order within one message, and small
// responses leave together in one write. By default it serves static files with
// http.FileServerFS (index.html, content types, Range, If-Modified-Since/ETag)
// from -root DIR through os.Root, so no .., encoding or symlink escapes the
// root; without -root, an embedded page describing the server
// (site/index.html). Files are streamed: a 64 MiB file is served
// without being buffered, and a slow reader is paced by -write-timeout (the 64
// MiB test logs about 0.8 MiB allocated in the whole process, client included).
//
// Requests are checked as net/http's server checks them after http.ReadRequest
// (http_parse.go, checkHeader): header names and values valid
// (httpguts), so "Content-Length : 5" or "Transfer-Encoding : chunked" cannot
// smuggle a body past the framing; one valid Host, required in HTTP/1.1. A
// chunked body that comes whole with its head is walked once and decoded once
// by net/http's chunked reader (http_chunked.go); one that does not is decoded
// as it arrives, by the reader's rules (http_chunked_feed.go), its last chunk
// and trailer by the reader itself. No client-controlled text longer than 256
// bytes reaches a log field or an error: it is cut and marked "...[cut N
// bytes]".
//
// # Bad input
//
// Each bad input gets its reply, and its category in the log (category →
// directive):
//
//   - malformed request line, header or chunked body; invalid header name or
//     value; missing, repeated or invalid Host (HTTP/1.1); a blank line before a
//     request (except the CRLF old clients send after a POST body): 400, close;
//     BadRequest (framing lost) → Stop.
//   - major version other than 1 (HTTP/2.0, HTTP/0.9); HTTP/1.2 is HTTP/1.x and
//     served, as by net/http: 505, close; BadRequest (framing lost) → Stop.
//   - Transfer-Encoding other than one chunked (HTTP/1.1): 501, close;
//     BadRequest (framing lost) → Stop.
//   - Expect other than 100-continue: 417, close; BadRequest (framing lost) →
//     Stop.
//   - request line + headers over -max-header-bytes: 431, close; TooLarge →
//     Stop.
//   - body over -max-body: 413, close; TooLarge → Stop.
//   - head not complete within -header-timeout (slowloris); a body that stalls
//     for -header-timeout or falls behind -min-body-rate (1 KiB/s) over the last
//     -header-timeout: 408, close; Timeout → Stop.
//   - nothing sent within -header-timeout of connecting, or no next request
//     within -keepalive-timeout of a response: closed quietly, as net/http does;
//     Timeout → Stop.
//   - handler panic: 500; requests pipelined behind it are answered by the
//     restarted behavior; Internal → Restart, socket kept. Its "http handler
//     panicked" line, with the stack, is within the listener's log budget
//     (Conn.LogFailure), as its decision is.
//   - %00 in the path (static files): 404, as http.Dir; none.
//
// # Deadlines
//
// Deadlines follow net/http's ReadHeaderTimeout and IdleTimeout
// (http_state.go, setDeadline): a connection's first request must
// arrive within -header-timeout (10 s) of connecting, a later head within it of
// its first byte, and the next request must start within -keepalive-timeout (60
// s) of a response. A body must make progress every -header-timeout and keep up
// -min-body-rate (1 KiB/s): as Apache's mod_reqtimeout MinRate, each byte moves
// the deadline on by 1/-min-body-rate of a second from a grace of
// -header-timeout after the head, but never to more than -header-timeout ahead,
// so a body sent fast and then trickled is timed out about a -header-timeout
// after it stalled, and any body is whole within -header-timeout +
// size/-min-body-rate. Between requests the connection says it is idle
// (Conn.SetIdle), so at -max-conns it is the first to be closed for a waiting
// client. For every http limit, 0 means no limit and a negative value is
// refused. In Go, web.Options{} therefore has no limits at all: start from
// web.DefaultOptions().
//
//	$ curl -i http://127.0.0.1:7878/nope
//	HTTP/1.1 404 Not Found
//	Content-Type: text/plain; charset=utf-8
//	X-Content-Type-Options: nosniff
//	Date: Wed, 25 Nov 2026 19:02:59 GMT
//	Content-Length: 19
//
//	404 page not found
//	$ printf 'GARBAGE\r\n\r\n' | nc -N 127.0.0.1 7878 | head -1
//	HTTP/1.1 400 Bad Request
//
// # Your own handler
//
// Serve your own handler under supervised connection actors: set
// actors.Config.Protocol to New(handler, DefaultOptions()) and start the
// server (ExampleNew does, and go test runs it).
//
// The module path is async_server, which has no domain, so the go command cannot
// download it: from your own module, point it at a clone with a replace
// directive in your go.mod, then run "go mod tidy":
//
//	require async_server v0.0.0
//
//	replace async_server => ../async_server
//
// Not supported: http.Hijacker, response trailers, protocol upgrades (101),
// HTTP/2. Request bodies are buffered whole (up to -max-body) before the handler
// runs: one that does not come with its head is held by its declared length, in
// 64 KiB segments allocated as its bytes arrive, which the handler reads without
// a copy (http_body.go); a chunked one is held so too, as its data (not its
// encoding); nothing grows by doubling.
//
// # Divergences from net/http
//
// A differential test (actors_test/http_diff_test.go, cases in
// http_diff_cases_test.go, and FuzzHTTPDifferential) sends the same bytes to
// this behavior and to a net/http.Server serving the same handler, and compares
// every response's status, which request it answers, and whether the connection
// closes after it. What differs on purpose is listed once, in its divergences
// table, and here:
//
//   - panic: a handler panic is answered 500 and the connection kept (Restart);
//     net/http closes without a response.
//   - truncated: input that ends (the client half-closes) inside a request is
//     not answered; net/http answers 400, or runs the handler on the part of the
//     body that came (its own handler of "OPTIONS *" answers 200).
//   - h2-preface: "PRI * HTTP/2.0" with no header is answered 505; net/http
//     hands it to the handler for a Hijacker to upgrade.
//   - cl-te: a request with both Content-Length and Transfer-Encoding is
//     answered by its Transfer-Encoding and the connection then closed (RFC
//     9112, 6.1: a proxy in front may have framed it by its Content-Length);
//     net/http keeps the connection open.
//   - close-wins: an HTTP/1.0 request whose Connection lines have both
//     keep-alive and close is answered and the connection closed (RFC 9112,
//     9.6); net/http keeps it open when its first Connection line says
//     keep-alive. In HTTP/1.1 a close on any Connection line closes, as in
//     net/http.
//   - 408: a head (or body) that misses -header-timeout is answered 408 before
//     the close; net/http closes without a response. Silent and idle connections
//     are closed quietly by both.
//   - body-progress: a body must make progress every -header-timeout and, keep
//     up at least -min-body-rate (1 KiB/s) over the last -header-timeout;
//     net/http bounds the whole request by ReadTimeout (none by default).
//   - max-body: a body over -max-body is refused 413 before the handler runs;
//     net/http has no body limit unless the handler uses http.MaxBytesReader.
//     "OPTIONS *" with a body over -max-body is answered 413; net/http's own
//     handler reads 4 KiB of it and answers 200 and close.
//   - header-slack: -max-header-bytes is exact; net/http reads up to 4096 bytes
//     past MaxHeaderBytes before answering 431.
//   - continue: "100 Continue" is sent when a head arrives without its body;
//     net/http sends it when the handler first reads the body.
//   - keepalive-default: -keepalive-timeout defaults to 60 s; net/http's
//     IdleTimeout has no default.
package web
