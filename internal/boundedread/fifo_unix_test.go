//go:build unix

package boundedread

import "syscall"

func makeFifo(p string) error { return syscall.Mkfifo(p, 0o600) }
