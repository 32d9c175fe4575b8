//go:build !unix

package e2e

import (
	"os"
	"os/exec"
)

var terminateSignal = os.Interrupt

func ownProcessGroup(cmd *exec.Cmd) {}
