package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/postmint/postmint/internal/boundedread"
)

// Bounds of the files the command layer reads itself (keys and certificates are bounded by
// generator/keys, definitions by generator/config).
const (
	maxPasswordFile = 64 << 10 // a password
	maxEnvFile      = 8 << 20  // an environment: a key, a token and the variables
	maxJWKSFile     = 1 << 20  // as generator/verify bounds a JWKS from a URL
	maxPublicFile   = 4 << 20  // a public key or certificate chain
)

// readInput reads a file the user named with the one bounded reader, so /dev/zero, a named
// pipe or a huge file is an error in words, never a hang or a flood of memory. what and path
// open the error: "reading --key-password-file pw.txt: is 9000000 bytes, far too large ...".
func readInput(what, path string, limit int64) ([]byte, error) {
	data, err := boundedread.ReadFile(path, limit)
	if err != nil {
		return nil, fmt.Errorf("reading %s %s: %w", what, path, unwrapPath(err))
	}
	return data, nil
}

// refreshTarget is where refresh writes path (ENV, or -o OUT). A symbolic link is followed to
// the file it names, and that file is replaced atomically in its own folder: the link stays a
// link and what it points at is fresh (replacing the link itself would leave the real file
// stale). A link that leads nowhere, or anything that is not a regular file, is refused. A
// path that does not exist yet (a new -o OUT) is returned as it is.
func refreshTarget(path string) (string, error) {
	st, err := os.Lstat(path)
	if err != nil {
		return path, nil // a new -o OUT; any other problem shows at the write
	}
	if st.Mode()&fs.ModeSymlink == 0 {
		if !st.Mode().IsRegular() {
			return "", fmt.Errorf("%s is not a regular file (%s); write the environment to a file", path, fileKind(st.Mode()))
		}
		return path, nil
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", fmt.Errorf("%s is a symbolic link that leads to no file (%v); point it at the environment file or write elsewhere with -o OUT", path, unwrapPath(err))
	}
	tst, err := os.Stat(target)
	if err != nil {
		return "", fmt.Errorf("%s is a symbolic link to %s: %w", path, target, unwrapPath(err))
	}
	if !tst.Mode().IsRegular() {
		return "", fmt.Errorf("%s is a symbolic link to %s, which is not a regular file (%s)", path, target, fileKind(tst.Mode()))
	}
	return target, nil
}

func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "type " + m.Type().String()
}

// secretModeWarning is the warning for a token written into a file that group or others can
// read (refresh keeps the file's mode, as the contract says, but says so), or "".
func secretModeWarning(path string, mode fs.FileMode, what string) string {
	if mode&0o044 == 0 {
		return ""
	}
	return fmt.Sprintf("%s %s: other users can read the %s in it; %s", path, modeWords(mode), what, ownerOnlyFix(path))
}
