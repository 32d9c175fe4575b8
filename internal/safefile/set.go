package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// File is one file of a set that WriteAll writes.
type File struct {
	Name   string // the file's name in the folder
	Data   []byte
	Secret bool // holds a private key or a token: mode 0600 (on Windows, an owner-only ACL)
}

// WriteAll writes each file into dir with Write, 0600 when it holds a secret and 0644
// otherwise, and returns their paths in order. dir is created when missing. When a write
// fails, the files this call created are removed again: a failure leaves no half set (a file
// that existed before keeps its old content, as Write leaves it).
func WriteAll(dir string, files []File) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating output directory %s: %w", dir, Cause(err))
	}
	var paths, created []string
	for _, f := range files {
		path := filepath.Join(dir, f.Name)
		mode := os.FileMode(0o644)
		if f.Secret {
			mode = 0o600
		}
		_, statErr := os.Lstat(path)
		if err := Write(path, f.Data, mode); err != nil {
			for _, p := range created {
				os.Remove(p)
			}
			return nil, err
		}
		if errors.Is(statErr, fs.ErrNotExist) {
			created = append(created, path)
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// ExistsError is WriteNew's refusal: files of the set are there already.
type ExistsError struct{ Paths []string }

func (e *ExistsError) Error() string {
	verb := "exist"
	if len(e.Paths) == 1 {
		verb = "exists"
	}
	return fmt.Sprintf("%s already %s; nothing was written", strings.Join(e.Paths, ", "), verb)
}

// WriteNew is WriteAll for a set that must not replace anything: when any of its files is
// there already, it writes nothing and returns an *ExistsError naming them.
func WriteNew(dir string, files []File) ([]string, error) {
	var existing []string
	for _, f := range files {
		p := filepath.Join(dir, f.Name)
		if _, err := os.Lstat(p); err == nil {
			existing = append(existing, p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("checking %s: %w", p, Cause(err))
		}
	}
	if len(existing) > 0 {
		return nil, &ExistsError{Paths: existing}
	}
	return WriteAll(dir, files)
}
