// Package behaviors is the registry of async_server's connection behaviors
// (protocols), and home of the one-file ones, echo and faults; a behavior of
// several files has a package of its own below it (web: http; chat; resp). The
// contract they all implement is package protocol, whose Example adds a
// behavior step by step.
//
// To add a behavior: write one file here (or a package below) with a type that
// implements protocol.Protocol and a constructor of its protocol.Setup, add one
// line to registry, and test it over real TCP with package testkit.
// Nothing in the acceptor, the connection actor or the supervisor changes.
//
// # echo
//
// -behavior echo writes every byte back, as it arrives (echo.go):
//
//	$ go run . -behavior echo 9000
//	async_server: echo listening on 127.0.0.1:9000 (log: server.log)
//
//	$ printf 'hello\nworld\n' | nc -N 127.0.0.1 9000
//	hello
//	world
//
// # faults: breaking the server on purpose
//
// -behavior faults turns every connection into a small line protocol whose
// commands fail in each category of the supervision table (faults.go):
//
//	panic  panics: Internal, Restart (socket kept, the count starts again)
//	bad    replies "-ERR bad request": BadRequest, Restart
//	lost   replies "-ERR framing lost": BadRequest with framing lost, Stop
//	big    replies "-ERR too large": TooLarge, Stop
//	help   lists the commands (not counted)
//	other  replies "count N: other", N counting the lines this incarnation answered
//
// Run it with the log on the terminal, connect with nc, and type commands (or
// paste several at once: lines behind a failing one are answered by the fresh
// behavior):
//
//	$ go run . -behavior faults -log-file - 9000
//	$ nc 127.0.0.1 9000
//	hello
//	count 1: hello
//	world
//	count 2: world
//	panic                      # Internal: the actor restarts, the socket stays
//	again
//	count 1: again             # a fresh behavior: its count started over
//	bad
//	-ERR bad request           # BadRequest: error reply, restart
//	lost
//	-ERR framing lost          # BadRequest, but the input cannot be trusted: Stop
//
// Each failure is one "supervision decision" line in the log (category,
// directive, restarts used of the budget); a fourth restart within 10 s stops
// the connection. panic also logs a "behavior panicked" line just before its
// decision, holding the whole goroutine stack in one line (a few kilobytes,
// capped at 8 KiB). A line is at most 4 KiB: a longer one gets "-ERR line too
// long" and the connection closes (TooLarge), so a client that never sends a
// newline holds 4 KiB of the server, not gigabytes.
package behaviors
