//go:build unix

package main

import "syscall"

// accessWrite asks the kernel whether the process may write path, or for a
// directory create files in it: access(2), whose answer takes permissions, a
// read-only file system and root's privileges into account. A path that does
// not exist gives syscall.ENOENT, which is fs.ErrNotExist.
func accessWrite(path string, dir bool) error {
	const wOK, xOK = 0x2, 0x1 // <unistd.h>'s W_OK and X_OK
	mode := uint32(wOK)
	if dir {
		mode |= xOK // to create a file there, search it too
	}
	return syscall.Access(path, mode)
}
