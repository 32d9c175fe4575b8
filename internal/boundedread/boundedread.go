// Package boundedread reads the files postmint is given (keys, definitions, environments,
// password, CA, JWKS and clients files, certificates) with one size bound, whatever the path
// names: a regular file, /dev/zero, a named pipe, /dev/stdin or a process substitution.
//
// A regular file over the limit is refused by its size before anything is read; anything
// else is read through the limit, so /dev/zero costs limit+1 bytes. Files are opened without
// blocking, so a named pipe with no writer is an error in words instead of a hang, and a
// pipe whose writer stays silent for StallTimeout is refused too.
//
// Text is returned as UTF-8 without a byte-order mark, however a Windows tool saved it
// (internal/textenc), so no parser has to know about BOMs or UTF-16.
package boundedread

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/postmint/postmint/internal/textenc"
)

// Sentinel errors, wrapped by ReadFile with the details. Test for them with errors.Is.
var (
	// ErrTooLarge: the file is (or gives) more bytes than the limit.
	ErrTooLarge = errors.New("far too large")
	// ErrDirectory: the path names a directory.
	ErrDirectory = errors.New("is a directory")
	// ErrEmptyPipe: a named pipe, socket or device gave nothing; for a named pipe, no program
	// had it open for writing.
	ErrEmptyPipe = errors.New("is a pipe or device that gave nothing to read (nothing writes to it)")
	// ErrStalled: a pipe's writer gave nothing more for StallTimeout.
	ErrStalled = errors.New("is a pipe whose writer stopped sending")
)

// StallTimeout is how long a pipe or device may stay silent before ReadFile gives up.
var StallTimeout = 60 * time.Second

// ReadFile reads path whole when it holds at most limit bytes, with a UTF-8 byte-order mark
// dropped and UTF-16 with a mark converted to UTF-8 (textenc.Decode). Errors wrap ErrTooLarge,
// ErrDirectory, ErrEmptyPipe, ErrStalled, textenc.ErrUTF16, or the *fs.PathError of opening
// or reading; their text does not repeat the path (callers name the file and what it is for).
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|nonBlock, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	data, err := read(f, st.Mode(), st.Size(), limit)
	if err != nil {
		return nil, err
	}
	return textenc.Decode(data)
}

func read(f *os.File, mode fs.FileMode, size, limit int64) ([]byte, error) {
	switch {
	case mode.IsDir():
		return nil, ErrDirectory
	case mode.IsRegular() && size > limit:
		return nil, fmt.Errorf("is %d bytes, %w (at most %d)", size, ErrTooLarge, limit)
	}
	regular := mode.IsRegular()
	if !regular {
		// Works where the descriptor is pollable (pipes, sockets, terminals); /dev/zero and
		// other devices without a poller need no deadline: they answer at once.
		_ = f.SetReadDeadline(time.Now().Add(StallTimeout))
	}
	buf := make([]byte, 0, min(max(size, 0), limit)+1)
	data, err := readAll(io.LimitReader(f, limit+1), buf)
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return nil, fmt.Errorf("%w for %s", ErrStalled, StallTimeout)
	case err != nil:
		return nil, err
	case int64(len(data)) > limit:
		return nil, fmt.Errorf("gives more than %d bytes, %w", limit, ErrTooLarge)
	case !regular && len(data) == 0:
		return nil, ErrEmptyPipe
	}
	return data, nil
}

// readAll is io.ReadAll into buf, which is sized for the common case of a regular file.
func readAll(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// Cause is the reason inside an *fs.PathError (whose text repeats the path and the call), or
// err itself: messages name the file once, in their own words.
func Cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
