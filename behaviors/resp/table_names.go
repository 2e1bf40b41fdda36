package resp

// nameTable finds a top-level command by its name, in any case, for lookup: an
// open-addressed table whose slots hold the names inline, in lower case, so
// that finding SET hashes three bytes and compares them with one or two
// slots' and touches no string elsewhere. The map it replaces (byName, with
// each name in lower and upper case) hashed the name with the runtime's
// string hash and compared against keys stored apart from their slots: at
// redis-benchmark -P 16 that lookup was 1.6% of the server's CPU.
var nameTable [nameSlots]nameSlot

const (
	nameMax   = 23 // the longest name a slot holds: 1 length byte, 23 name bytes and a pointer are 32 bytes
	nameBits  = 9
	nameSlots = 1 << nameBits // over twice the commands
)

type nameSlot struct {
	n    uint8
	name [nameMax]byte
	cmd  *Command
}

// buildNames fills nameTable with the top-level commands (buildTable), in
// place of what it held; a name too long for a slot, or more commands than
// half the slots, is a bug.
func buildNames(cmds []*Command) {
	clear(nameTable[:])
	if len(cmds) > nameSlots/2 {
		panic("resp: too many commands for the name table")
	}
	for _, c := range cmds {
		if len(c.Name) > nameMax {
			panic("resp: command name " + c.Name + " is too long for the name table")
		}
		i := nameHash([]byte(c.Name))
		for nameTable[i].cmd != nil {
			i = (i + 1) & (nameSlots - 1)
		}
		nameTable[i].n = uint8(len(c.Name))
		copy(nameTable[i].name[:], c.Name)
		nameTable[i].cmd = c
	}
}

// nameHash hashes a name by its length and its first, middle and last
// bytes, each with bit 5 set, which lower-cases letters (and maps any byte
// the same whatever the name's case), folded to a slot. Names that share
// them go to the following slots.
func nameHash(b []byte) uint32 {
	n := len(b)
	h := uint32(n) | uint32(b[0]|0x20)<<8 | uint32(b[n/2]|0x20)<<16 | uint32(b[n-1]|0x20)<<24
	h *= 0x9E3779B1
	return h >> (32 - nameBits)
}

// lookup returns the top-level command called name (any case), or nil,
// without allocating.
func lookup(name []byte) *Command {
	if len(name) == 0 || len(name) > nameMax {
		return nil
	}
	for i := nameHash(name); ; i = (i + 1) & (nameSlots - 1) {
		s := &nameTable[i]
		if s.cmd == nil {
			return nil
		}
		if int(s.n) == len(name) && foldEqual(name, s.name[:len(name)]) {
			return s.cmd
		}
	}
}

// foldEqual says whether b is lower (a lower-case name) in any ASCII case.
func foldEqual(b, lower []byte) bool {
	for i, c := range b {
		if toLowerASCII(c) != lower[i] {
			return false
		}
	}
	return true
}
