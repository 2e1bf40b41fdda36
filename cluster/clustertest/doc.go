// Package clustertest runs clusters of async_server nodes for tests: real
// processes of the built binary (protoactor's cluster leaves goroutines
// behind in a process that ran a node, so a node cannot run inside a test
// binary that checks for leaks), on loopback ports chosen at run time, each
// with its admin endpoint, so a test reads a node's view (/metrics, /tree),
// signals it and waits for its exit.
//
//	bin := clustertest.Build(t)                 // built once per test run
//	nodes := clustertest.Start(t, clustertest.Options{Binary: bin, Behavior: "chat"})
//	clustertest.WaitFormed(t, nodes)            // every node reaches every other
//	nodes[2].Signal(t, syscall.SIGTERM)
//
//	nodes[0].Pause(t)                           // SIGSTOP, and wait until it took effect
//	lives := clustertest.GrainLives(t, nodes)   // each grain's activations, from the logs
//	clustertest.Overlaps(lives)                 // two at once: a failure
//
// Every node is killed, if still running, and waited for when the test
// ends; a data race the binary reports fails the test. Build skips the test
// under -short.
package clustertest
