// Package crossnode holds the chat behavior's cross-node tests and
// benchmark: three nodes of the built binary (package cluster/clustertest),
// nc-style clients on different nodes. It has no code of its own; the tests
// build the binary, so -short skips them.
//
//	go test -race -count=1 ./behaviors/chat/crossnode/
//	go test -run '^$' -bench ChatFanoutCluster -benchtime 2000x ./behaviors/chat/crossnode/
package crossnode
