package boundedread

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"
)

func TestRegularFiles(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	os.WriteFile(small, []byte("hello"), 0o600)
	if got, err := ReadFile(small, 5); err != nil || string(got) != "hello" {
		t.Errorf("at the limit: %q, %v", got, err)
	}
	_, err := ReadFile(small, 4)
	if !errors.Is(err, ErrTooLarge) || err.Error() != "is 5 bytes, far too large (at most 4)" {
		t.Errorf("over the limit: %v", err)
	}
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o600)
	if got, err := ReadFile(empty, 4); err != nil || len(got) != 0 {
		t.Errorf("empty regular file: %q, %v", got, err)
	}
	if _, err := ReadFile(dir, 4); !errors.Is(err, ErrDirectory) {
		t.Errorf("directory: %v", err)
	}
	var pe *os.PathError
	if _, err := ReadFile(filepath.Join(dir, "missing"), 4); !errors.As(err, &pe) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
}

// TestDevZero: an endless device costs the limit, not the machine's memory.
func TestDevZero(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ReadFile("/dev/zero", 1<<20)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) || err.Error() != "gives more than 1048576 bytes, far too large" {
		t.Errorf("err = %v", err)
	}
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 8<<20 {
		t.Errorf("allocated %d bytes for a 1 MiB limit", grown)
	}
	if _, err := ReadFile("/dev/null", 10); !errors.Is(err, ErrEmptyPipe) {
		t.Errorf("/dev/null: %v", err)
	}
}

func mkfifo(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fifo")
	if err := makeFifo(p); err != nil {
		t.Skip("mkfifo:", err)
	}
	return p
}

// TestNamedPipes: a named pipe nobody writes to is an error at once, not a hang; one with a
// writer is read within the bound; a writer that stalls is given up on.
func TestNamedPipes(t *testing.T) {
	p := mkfifo(t)
	done := make(chan error, 1)
	go func() { _, err := ReadFile(p, 10); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrEmptyPipe) {
			t.Errorf("no writer: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ReadFile blocked on a named pipe with no writer")
	}

	// A writer that is there (as with a shell's process substitution) is read.
	for _, tc := range []struct {
		data string
		want error
	}{{"key text", nil}, {"0123456789A", ErrTooLarge}} {
		w := openWriter(t, p)
		go func() { w.Write([]byte(tc.data)); w.Close() }()
		got, err := ReadFile(p, 10)
		if !errors.Is(err, tc.want) || (err == nil && string(got) != tc.data) {
			t.Errorf("%q: got %q, %v", tc.data, got, err)
		}
	}

	old := StallTimeout
	StallTimeout = 200 * time.Millisecond
	defer func() { StallTimeout = old }()
	w := openWriter(t, p)
	defer w.Close()
	w.Write([]byte("partial"))
	if _, err := ReadFile(p, 10); !errors.Is(err, ErrStalled) {
		t.Errorf("stalled writer: %v", err)
	}
}

// openWriter opens p for writing while a reader is not there yet: O_RDWR never blocks on a
// FIFO (Linux), and keeps the pipe open for the reader that follows.
func openWriter(t *testing.T, p string) *os.File {
	t.Helper()
	w, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// FuzzReadFile: whatever the content and limit, a regular file and a pipe carrying it give the
// same answer: the bytes when they fit, ErrTooLarge when they do not.
func FuzzReadFile(f *testing.F) {
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\n"), uint16(28))
	f.Add([]byte{}, uint16(0))
	f.Add([]byte{0, 1, 2}, uint16(2))
	f.Add(bytes.Repeat([]byte{0xff}, 5000), uint16(4096))
	StallTimeout = 3 * time.Second
	dir := f.TempDir()
	n := 0
	f.Fuzz(func(t *testing.T, data []byte, limit16 uint16) {
		limit := int64(limit16)
		n++
		p := filepath.Join(dir, strconv.Itoa(n))
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(p)
		check := func(kind string, got []byte, err error, emptyErr error) {
			switch {
			case int64(len(data)) > limit:
				if !errors.Is(err, ErrTooLarge) || got != nil {
					t.Fatalf("%s: %d bytes, limit %d: got %d bytes, %v", kind, len(data), limit, len(got), err)
				}
			case len(data) == 0 && emptyErr != nil:
				if !errors.Is(err, emptyErr) {
					t.Fatalf("%s: empty: %v", kind, err)
				}
			default:
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("%s: %d bytes, limit %d: got %d bytes, %v", kind, len(data), limit, len(got), err)
				}
			}
		}
		got, err := ReadFile(p, limit)
		check("file", got, err, nil)

		if _, err := os.Stat("/dev/fd"); err != nil {
			return
		}
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		go func() { w.Write(data); w.Close() }()
		got, err = ReadFile("/dev/fd/"+strconv.Itoa(int(r.Fd())), limit)
		check("pipe", got, err, ErrEmptyPipe)
	})
}

// TestWindowsText: a file as Notepad (UTF-8 with a byte-order mark) or PowerShell 5's
// Out-File (UTF-16LE with one) saves it is read as plain UTF-8.
func TestWindowsText(t *testing.T) {
	dir := t.TempDir()
	for name, raw := range map[string][]byte{
		"utf8bom": append([]byte{0xEF, 0xBB, 0xBF}, "{}\r\n"...),
		"utf16le": {0xFF, 0xFE, '{', 0, '}', 0, '\r', 0, '\n', 0},
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, raw, 0o600)
		if got, err := ReadFile(p, 100); err != nil || string(got) != "{}\r\n" {
			t.Errorf("%s: %q, %v", name, got, err)
		}
	}
}
