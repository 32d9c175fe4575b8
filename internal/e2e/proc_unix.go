//go:build unix

package e2e

import (
	"os/exec"
	"syscall"
)

var terminateSignal = syscall.SIGTERM

// ownProcessGroup puts a runner in its own process group so that a timeout kills the runner and
// its children (the Postman CLI's node wrapper ignores SIGTERM and starts a native binary).
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
