package safefile

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Target is where a command that rewrites path in place (refresh: ENV, or -o OUT) writes it.
// A symbolic link is followed to the file it names, and that file is replaced atomically in
// its own folder: the link stays a link and what it points at is fresh (replacing the link
// itself would leave the real file stale). A link that leads nowhere, or anything that is not
// a regular file, is refused. A path that does not exist yet (a new -o OUT) is returned as it
// is.
func Target(path string) (string, error) {
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
		return "", fmt.Errorf("%s is a symbolic link that leads to no file (%v); point it at the environment file or write elsewhere with -o OUT", path, Cause(err))
	}
	tst, err := os.Stat(target)
	if err != nil {
		return "", fmt.Errorf("%s is a symbolic link to %s: %w", path, target, Cause(err))
	}
	if !tst.Mode().IsRegular() {
		return "", fmt.Errorf("%s is a symbolic link to %s, which is not a regular file (%s)", path, target, fileKind(tst.Mode()))
	}
	return target, nil
}

// fileKind names what a path that is not a regular file is, for the errors above.
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

// Output is where a command that updates a file in place (with -o OUT: writes elsewhere)
// writes, and with which mode: OUT is new and holds a secret, so 0600; in place, the file's own
// mode, refused when the user made the file read-only. A symbolic link is followed (Target).
func Output(path string, mode os.FileMode, out string) (string, os.FileMode, error) {
	if out != "" {
		path, mode = out, 0o600
	} else if err := CheckWritable(path, mode); err != nil {
		return "", 0, err
	}
	target, err := Target(path)
	return target, mode, err
}
