// Package safefile is how postmint's commands touch the files a user names: every read bounded
// (internal/boundedread), every write atomic, with the file's mode (on Windows, its ACL) chosen
// before the first byte is written and kept where the contract says so.
package safefile

import (
	"fmt"
	"os"

	"github.com/postmint/postmint/internal/boundedread"
)

// Write writes a temp file in the same directory, flushes it to disk and renames it over path
// (replaceFile: write_unix.go, write_windows.go): a reader sees the old file or the new one,
// never a part, and a failure leaves path as it was. On Unix the file gets exactly mode
// whatever the umask; on Windows a mode without group and other bits means an ACL that
// grants the current user alone.
func Write(path string, data []byte, mode os.FileMode) error {
	if err := replaceFile(path, data, mode); err != nil {
		return fmt.Errorf("writing %s: %w", path, Cause(err))
	}
	return nil
}

// Cause is the reason inside an *os.PathError, or err itself (boundedread.Cause).
var Cause = boundedread.Cause

// CheckWritable refuses a file the user made read-only: a rename would replace it anyway,
// so the mode is the user's only way of saying "do not touch".
func CheckWritable(path string, mode os.FileMode) error {
	if mode&0o200 == 0 {
		return fmt.Errorf("%s is read-only (mode %04o); make it writable (%s) or write elsewhere with -o OUT", path, mode, makeWritableHint)
	}
	return nil
}

// ModeWarning is the warning for a secret written into a file that group or others can read
// (refresh keeps the file's mode, as the contract says, but says so), or "". what names the
// secret ("token", "private key").
func ModeWarning(path string, mode os.FileMode, what string) string {
	if mode&0o044 == 0 {
		return ""
	}
	return fmt.Sprintf("%s %s: other users can read the %s in it; %s", path, modeWords(mode), what, ownerOnlyFix(path))
}
