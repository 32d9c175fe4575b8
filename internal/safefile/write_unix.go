//go:build !windows

package safefile

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/renameio/v2"
)

// replaceFile writes a temp file in the same directory, fsyncs it and renames it over path
// (google/renameio), with exactly mode whatever the umask.
func replaceFile(path string, data []byte, mode os.FileMode) error {
	// WithTempDir: without it renameio puts the temp file in $TMPDIR whenever a rename from
	// there works, and a killed process then leaves a copy of the secrets in /tmp.
	// NewPendingFile, not renameio.WriteFile: WriteFile copies an existing file's mode over
	// the one asked for, and a 0644 file that now holds a key must become 0600.
	pf, err := renameio.NewPendingFile(path, renameio.WithStaticPermissions(mode), renameio.WithTempDir(filepath.Dir(path)))
	if err != nil {
		return err
	}
	defer pf.Cleanup()
	if _, err := pf.Write(data); err != nil {
		return err
	}
	return pf.CloseAtomicallyReplace()
}

// Perm is the mode refresh keeps and reasons with: the file's permission bits.
func Perm(_ string, st os.FileInfo) os.FileMode { return st.Mode().Perm() }

// makeWritableHint is the command that clears a file's read-only state.
const makeWritableHint = "chmod u+w"

// modeWords says what is wrong with a mode that lets others read a file.
func modeWords(mode os.FileMode) string { return fmt.Sprintf("is mode %04o", mode.Perm()) }

// ownerOnlyFix says how to make path readable by its owner alone.
func ownerOnlyFix(path string) string {
	return "chmod 600 " + path + ", or (in CI, where the file is checked out 0644) leave it as committed and write the refreshed copy elsewhere with -o, e.g. -o \"$RUNNER_TEMP/env.json\""
}
