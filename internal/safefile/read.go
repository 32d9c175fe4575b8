package safefile

import (
	"fmt"

	"github.com/postmint/postmint/internal/boundedread"
)

// Bounds of the files the command layer reads itself (keys and certificates are bounded by
// generator/keys, definitions by generator/config).
const (
	MaxPassword = 64 << 10 // a password
	MaxEnv      = 8 << 20  // an environment: a key, a token and the variables
	MaxPublic   = 4 << 20  // a public key or certificate chain
)

// Read reads a file the user named with the one bounded reader, so /dev/zero, a named pipe
// or a huge file is an error in words, never a hang or a flood of memory. what and path open
// the error: "reading --key-password-file pw.txt: is 9000000 bytes, far too large ...". The
// boundedread sentinels stay reachable with errors.Is.
func Read(what, path string, limit int64) ([]byte, error) {
	data, err := boundedread.ReadFile(path, limit)
	if err != nil {
		return nil, fmt.Errorf("reading %s %s: %w", what, path, Cause(err))
	}
	return data, nil
}
