package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/renameio/v2"
)

// timeNow is the clock; a variable so tests can pin it.
var timeNow = time.Now

// writeFileAtomic writes a temp file in the same directory, fsyncs it and renames it over
// path (google/renameio), with exactly mode whatever the umask: a reader sees the old file
// or the new one, never a part.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	// WithTempDir: without it renameio puts the temp file in $TMPDIR whenever a rename from
	// there works, and a killed process then leaves a copy of the secrets in /tmp.
	// NewPendingFile, not renameio.WriteFile: WriteFile copies an existing file's mode over
	// the one asked for, and a 0644 file that now holds a key must become 0600.
	pf, err := renameio.NewPendingFile(path, renameio.WithStaticPermissions(mode), renameio.WithTempDir(filepath.Dir(path)))
	if err == nil {
		defer pf.Cleanup()
		if _, err = pf.Write(data); err == nil {
			err = pf.CloseAtomicallyReplace()
		}
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, unwrapPath(err))
	}
	return nil
}

// checkWritable refuses a file the user made read-only: a rename would replace it anyway,
// so the mode is the user's only way of saying "do not touch".
func checkWritable(path string, mode os.FileMode) error {
	if mode&0o200 == 0 {
		return fmt.Errorf("%s is read-only (mode %04o); make it writable (chmod u+w) or write elsewhere with -o OUT", path, mode)
	}
	return nil
}
