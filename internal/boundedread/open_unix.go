//go:build unix

package boundedread

import "syscall"

// nonBlock opens a named pipe without waiting for a writer; regular files ignore it.
const nonBlock = syscall.O_NONBLOCK
