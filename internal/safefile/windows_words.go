package safefile

import (
	"fmt"
	"strings"
)

// The parts of the Windows writer that do not call Windows, here (untagged) so that their
// unit tests run on every system.

// ownerOnlySDDL is the security descriptor of a Windows file only the user with SID sid may
// open: a protected DACL ("P", the folder's inheritable entries do not apply) with one entry,
// full access ("FA") for that user.
func ownerOnlySDDL(sid string) string { return "D:P(A;;FA;;;" + sid + ")" }

// extendedLengthPath gives an absolute, cleaned Windows path the \\?\ prefix when it is too
// long for the Win32 calls that Write makes itself (package os does this for its own calls),
// and leaves a path that has a prefix already or is short enough as it is.
func extendedLengthPath(abs string) string {
	const maxDir = 248 // MAX_PATH (260) less room for an 8.3 file name: CreateFile's limit for a folder
	switch {
	case len(abs) < maxDir, strings.HasPrefix(abs, `\\?\`), strings.HasPrefix(abs, `\\.\`):
		return abs
	case strings.HasPrefix(abs, `\\`):
		return `\\?\UNC\` + abs[2:]
	}
	return `\\?\` + abs
}

// Windows error codes (winerror.h) that replaceError explains.
const (
	winAccessDenied     = 5
	winSharingViolation = 32
	winLockViolation    = 33
)

// replaceError puts in words why Windows refused to replace a file: most often another
// program (an editor, Postman, a running newman) has it open without sharing it for deletion.
func replaceError(code uint32, err error) error {
	switch code {
	case winSharingViolation, winLockViolation:
		return fmt.Errorf("another program has the file open (%w); close it there (an editor, Postman, a running newman) and run again", err)
	case winAccessDenied:
		return fmt.Errorf("%w: another program may have the file open (an editor, Postman, a running newman), or you may not replace it; close it there, check its permissions, and run again", err)
	}
	return err
}
