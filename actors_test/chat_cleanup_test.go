package actors_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"async_server/behaviors/chat"
)

// TestChatCleanup ensures the rooms service forgets every connection that
// ends: after 10 000 connect / join / disconnect cycles (16 at a time, over 4
// shared rooms, so members come and go beside each other) it holds no
// connection, nick, room or room actor, and no message went to dead letters.
func TestChatCleanup(t *testing.T) {
	const cycles, workers = 10000, 16
	s := startBehavior(t, "chat", nil) // log level debug: dead letters are logged at debug
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < cycles; i += workers {
				if err := chatCycle(s.Addr, fmt.Sprintf("cycle-%d", i%4)); err != nil {
					errs <- fmt.Errorf("cycle %d: %v", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	s.waitChatStats(t, chat.Stats{})
	if n := strings.Count(s.log(t), "DeadLetter"); n > 0 {
		t.Errorf("%d dead-letter log lines; want none", n)
	}
}

// chatCycle connects, joins room, and disconnects.
func chatCycle(addr, room string) error {
	c, err := dialLineClient(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if line, err := c.r.ReadString('\n'); err != nil || !strings.HasPrefix(line, chatGreeting) {
		return fmt.Errorf("greeting %q, %v", line, err)
	}
	if _, err := c.Write([]byte("/join " + room + "\n")); err != nil {
		return err
	}
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			return fmt.Errorf("waiting for the join: %v", err)
		}
		if strings.HasPrefix(line, "* you joined "+room) {
			return nil
		}
	}
}
