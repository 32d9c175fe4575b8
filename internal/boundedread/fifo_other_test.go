//go:build !unix

package boundedread

import "errors"

func makeFifo(string) error { return errors.New("no named pipes on this system") }
