package resp

import "bytes"

// Key slots, as Redis Cluster's: a key's slot is CRC16 (XMODEM) of the key,
// or of its hash tag (the text between the first '{' and the next '}', if
// not empty), modulo 16384. In cluster mode the slots are divided among
// numShards shard grains (shard_grain.go) in equal ranges, and a command
// whose keys are in more than one slot is refused (CROSSSLOT), as Redis
// Cluster refuses it: users co-locate keys with a hash tag ({user1}.name,
// {user1}.mail).

// numSlots is Redis Cluster's number of hash slots.
const numSlots = 16384

// numShards is how many shard grains hold the key space in cluster mode;
// shard i holds slots [i*numSlots/numShards, (i+1)*numSlots/numShards).
const numShards = 16

// keySlot is key's hash slot.
func keySlot(key []byte) int {
	if s := bytes.IndexByte(key, '{'); s >= 0 {
		if e := bytes.IndexByte(key[s+1:], '}'); e > 0 {
			key = key[s+1 : s+1+e]
		}
	}
	return int(crc16(key) % numSlots)
}

// shardOf is the shard that holds slot.
func shardOf(slot int) int { return slot * numShards / numSlots }

// crc16 is CRC-16/XMODEM (polynomial 0x1021, initial 0), Redis Cluster's.
func crc16(b []byte) uint16 {
	var crc uint16
	for _, c := range b {
		crc ^= uint16(c) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// errCrossSlot is Redis Cluster's reply to a command whose keys are in
// more than one slot.
const errCrossSlot = "CROSSSLOT Keys in request don't hash to the same slot"

// ShardOfKey is the shard grain (its identity, strconv.Itoa of it) that
// holds key in cluster mode; tests place keys with it.
func ShardOfKey(key string) int { return shardOf(keySlot([]byte(key))) }

// patternSlot is the one slot of every key a SORT BY or GET pattern can
// form, or -1 when they may be in several: Redis 7.0's patternHashSlot. A
// wildcard (*, ?, [) or an escape before the hash tag's end may form keys
// in any slot; a non-empty {tag} is the keys' slot; without one (or with
// an empty {}), the pattern is itself the one key.
func patternSlot(p []byte) int {
	open := -1 // index of the first '{'; -2 after an empty {}
	for i, c := range p {
		switch {
		case c == '*' || c == '?' || c == '[' || c == '\\':
			return -1
		case open == -1 && c == '{':
			open = i
		case open >= 0 && c == '}' && i == open+1:
			open = -2
		case open >= 0 && c == '}':
			return int(crc16(p[open+1:i]) % numSlots)
		}
	}
	return int(crc16(p) % numSlots)
}
