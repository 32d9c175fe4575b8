package safefile

import (
	"errors"
	"strings"
	"syscall"
	"testing"
)

// TestExtendedLengthPath: the Windows writer's own Win32 calls reach paths longer than
// MAX_PATH (a drive path, a UNC share) and leave \\?\ paths and short paths alone.
func TestExtendedLengthPath(t *testing.T) {
	long := strings.Repeat(`very long folder name\`, 12) + "env.json"
	for _, tc := range []struct{ in, want string }{
		{`C:\Users\ana\env.json`, `C:\Users\ana\env.json`},
		{`C:\` + long, `\\?\C:\` + long},
		{`\\fileserver\share\` + long, `\\?\UNC\fileserver\share\` + long},
		{`\\?\C:\` + long, `\\?\C:\` + long},
		{`\\?\C:\short.json`, `\\?\C:\short.json`},
	} {
		if got := extendedLengthPath(tc.in); got != tc.want {
			t.Errorf("extendedLengthPath(%.40q...) = %.50q..., want %.50q...", tc.in, got, tc.want)
		}
	}
}

// TestReplaceErrorInWords: Windows refusing to replace a file another program holds open is
// said in words, with the system's own message kept (errors.Is still finds it).
func TestReplaceErrorInWords(t *testing.T) {
	sys := syscall.Errno(winSharingViolation)
	for _, tc := range []struct {
		code uint32
		want string
	}{
		{winSharingViolation, "another program has the file open"},
		{winLockViolation, "another program has the file open"},
		{winAccessDenied, "another program may have the file open"},
	} {
		err := replaceError(tc.code, sys)
		if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "close it") || !errors.Is(err, sys) {
			t.Errorf("code %d: %v", tc.code, err)
		}
	}
	if err := replaceError(2, sys); err != sys {
		t.Errorf("another code is explained: %v", err)
	}
}
