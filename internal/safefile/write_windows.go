//go:build windows

package safefile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/windows"
)

// replaceFile writes a temp file in the same folder, flushes it (FlushFileBuffers) and moves it
// over path with MoveFileEx(MOVEFILE_REPLACE_EXISTING|MOVEFILE_WRITE_THROUGH), all through
// golang.org/x/sys/windows. renameio has no Windows writer, and libraries that do
// (natefinch/atomic) create the temp file with the folder's inherited ACL: a key would be
// readable by whoever the folder lets in until the ACL was changed afterwards. Here the temp
// file is created with its final ACL (securityFor), so no such moment exists.
func replaceFile(path string, data []byte, mode os.FileMode) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	sa, err := securityFor(abs, mode)
	if err != nil {
		return err
	}
	tmp, f, err := createTemp(abs, sa)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = moveOver(tmp, abs)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// securityFor is the security descriptor the new file is created with. A mode without group
// and other bits (0600: a key or a token) gets a protected DACL with one entry, full access
// for the current user, so the folder's inheritable entries (Users, Everyone) do not apply.
// Otherwise a file being replaced that has a protected DACL keeps it (the Windows form of
// "refresh keeps the file mode"), and any other file inherits the folder's, like every new file.
func securityFor(abs string, mode os.FileMode) (*windows.SecurityAttributes, error) {
	var sd *windows.SECURITY_DESCRIPTOR
	if mode&0o077 == 0 {
		u, err := windows.GetCurrentProcessToken().GetTokenUser()
		if err != nil {
			return nil, fmt.Errorf("finding the current user for the file's ACL: %w", err)
		}
		if sd, err = windows.SecurityDescriptorFromString(ownerOnlySDDL(u.User.Sid.String())); err != nil {
			return nil, fmt.Errorf("building the file's ACL: %w", err)
		}
	} else if old, err := windows.GetNamedSecurityInfo(extendedLengthPath(abs), windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION); err == nil {
		if ctl, _, err := old.Control(); err == nil && ctl&windows.SE_DACL_PROTECTED != 0 {
			sd = old
		}
	}
	if sd == nil {
		return nil, nil
	}
	return &windows.SecurityAttributes{Length: uint32(unsafe.Sizeof(windows.SecurityAttributes{})), SecurityDescriptor: sd}, nil
}

// createTemp creates a new file beside abs that no other handle may open while it is written.
func createTemp(abs string, sa *windows.SecurityAttributes) (string, *os.File, error) {
	dir, base := filepath.Split(abs)
	for range 10 {
		var r [6]byte
		if _, err := rand.Read(r[:]); err != nil {
			return "", nil, err
		}
		tmp := filepath.Join(dir, "."+base+"."+hex.EncodeToString(r[:])+".tmp")
		name, err := windows.UTF16PtrFromString(extendedLengthPath(tmp))
		if err != nil {
			return "", nil, err
		}
		h, err := windows.CreateFile(name, windows.GENERIC_WRITE, 0, sa, windows.CREATE_NEW, windows.FILE_ATTRIBUTE_NORMAL, 0)
		if errors.Is(err, windows.ERROR_FILE_EXISTS) {
			continue
		}
		if err != nil {
			return "", nil, fmt.Errorf("creating a temporary file in %s: %w", dir, err)
		}
		return tmp, os.NewFile(uintptr(h), tmp), nil
	}
	return "", nil, fmt.Errorf("creating a temporary file in %s: every name tried exists", dir)
}

// moveOver replaces abs with tmp in one step; the replacement is on disk when it returns.
func moveOver(tmp, abs string) error {
	from, err := windows.UTF16PtrFromString(extendedLengthPath(tmp))
	if err != nil {
		return err
	}
	to, err := windows.UTF16PtrFromString(extendedLengthPath(abs))
	if err != nil {
		return err
	}
	err = windows.MoveFileEx(from, to, windows.MOVEFILE_REPLACE_EXISTING|windows.MOVEFILE_WRITE_THROUGH)
	var errno windows.Errno
	if errors.As(err, &errno) {
		return replaceError(uint32(errno), err)
	}
	return err
}

// Perm is the mode refresh keeps and reasons with. Windows has no permission bits
// (os.Stat says 0666, or 0444 for a read-only file), so the ACL decides: a file only the
// current user may open (ownerOnly) is 0600, any other 0644; 0400 and 0444 when read-only.
func Perm(path string, st os.FileInfo) os.FileMode {
	write := st.Mode().Perm() & 0o200
	if ownerOnly(path) {
		return 0o400 | write
	}
	return 0o444 | write
}

// ownerOnly reports whether path has a protected DACL whose allow entries all name the
// current user, as Write makes for mode 0600. Any doubt (an error, no DACL, which
// lets everyone in) is false.
func ownerOnly(path string) bool {
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	sd, err := windows.GetNamedSecurityInfo(extendedLengthPath(abs), windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return false
	}
	ctl, _, err := sd.Control()
	if err != nil || ctl&windows.SE_DACL_PROTECTED == 0 {
		return false
	}
	dacl, _, err := sd.DACL()
	if err != nil || dacl == nil {
		return false
	}
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return false
	}
	for i := range uint32(dacl.AceCount) {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			return false
		}
		if ace.Header.AceType != windows.ACCESS_ALLOWED_ACE_TYPE {
			continue // deny entries only narrow who may read
		}
		if !(*windows.SID)(unsafe.Pointer(&ace.SidStart)).Equals(u.User.Sid) {
			return false
		}
	}
	return true
}

// makeWritableHint is the command that clears a file's read-only state.
const makeWritableHint = "attrib -r FILE, or untick Read-only in its Properties"

// modeWords says what is wrong with a file that lets others read it.
func modeWords(os.FileMode) string { return "has an ACL that lets other users open it" }

// ownerOnlyFix says how to make path readable by the current user alone.
func ownerOnlyFix(path string) string {
	return "icacls " + path + " /inheritance:r /grant:r \"%USERNAME%:F\" (cmd; in PowerShell \"${env:USERNAME}:F\"), or leave it as it is and write the refreshed copy elsewhere with -o, which writes it for you alone, e.g. -o \"$env:RUNNER_TEMP\\env.json\""
}
