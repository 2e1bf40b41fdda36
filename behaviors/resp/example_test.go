package resp_test

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"async_server/actors"
)

// Example serves the resp behavior from a program of one's own, as
// `async_server -behavior resp -maxmemory 64mb 0` does, and uses it with
// go-redis as one would use Redis: strings, a transaction (MULTI/EXEC: no
// other client's command runs between its commands), a list, a blocking
// pop another client serves, and pub/sub. Every connection is an actor
// under its supervisor; the key space and the pub/sub broker are service
// actors under theirs.
func Example() {
	cfg := actors.DefaultConfig()
	cfg.Behavior = "resp"
	cfg.Port = 0                               // any free port
	cfg.Log.File, cfg.Log.Level = "-", "error" // the log on standard error, errors only
	cfg.Options.RESP.MaxMemory = 64 << 20      // -maxmemory: past it, writes are refused (noeviction)
	srv, err := actors.Start(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { srv.Shutdown(); <-srv.Done() }()

	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addrs()[0].String()}) // RESP3, go-redis's default
	defer rdb.Close()

	rdb.Set(ctx, "greeting", "hello", time.Minute)
	fmt.Println(rdb.Get(ctx, "greeting").Val(), rdb.TTL(ctx, "greeting").Val() > 0)
	fmt.Println(rdb.Get(ctx, "missing").Err() == redis.Nil)

	cmds, err := rdb.TxPipelined(ctx, func(tx redis.Pipeliner) error {
		tx.Incr(ctx, "visits")
		tx.RPush(ctx, "queue", "a", "b")
		return nil
	})
	fmt.Println(len(cmds), err, rdb.LRange(ctx, "queue", 0, -1).Val())

	// BLPOP parks in the key space until a push (or finds the push made
	// first): the pool gives the two commands two connections.
	popped := make(chan []string)
	go func() { popped <- rdb.BLPop(ctx, 5*time.Second, "jobs").Val() }()
	rdb.RPush(ctx, "jobs", "job-1")
	fmt.Println(<-popped)

	sub := rdb.Subscribe(ctx, "news")
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil { // the subscription's confirmation
		fmt.Println(err)
		return
	}
	fmt.Println(rdb.Publish(ctx, "news", "resp is up").Val())
	msg := <-sub.Channel()
	fmt.Println(msg.Channel, msg.Payload)

	// Output:
	// hello true
	// true
	// 2 <nil> [a b]
	// [jobs job-1]
	// 1
	// news resp is up
}
