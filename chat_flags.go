package main

import (
	"flag"
	"strconv"

	"async_server/behaviors/chat"
)

// chatFlags defines the chat behavior's flags on fs, writing into o, and
// returns their names (refused with another behavior).
func chatFlags(fs *flag.FlagSet, o *chat.Options) []string {
	fs.BoolFunc("chat-flood", "chat: flood control, IRC's penalty per line (default true; -chat-flood=false, with the =: none, for trusted clients and benchmarks)",
		func(s string) error {
			on, err := strconv.ParseBool(s)
			if err == nil && !on {
				*o = chat.Options{}
			} else if err == nil {
				*o = chat.DefaultOptions()
			}
			return err
		})
	return []string{"chat-flood"}
}
