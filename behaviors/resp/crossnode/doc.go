// Package crossnode holds the resp behavior's cross-node tests: three nodes
// of the built binary (package cluster/clustertest), go-redis clients on
// different nodes. It has no code of its own; the tests build the binary,
// so -short skips them.
//
//	go test -race -count=1 ./behaviors/resp/crossnode/
package crossnode
