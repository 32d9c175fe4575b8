package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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

// Existing returns those of paths that exist (as anything: a file, a folder, a link), for a
// command that must not replace them unasked; an error when one cannot be checked.
func Existing(paths ...string) ([]string, error) {
	var existing []string
	for _, p := range paths {
		if _, err := os.Lstat(p); err == nil {
			existing = append(existing, p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("checking %s: %w", p, Cause(err))
		}
	}
	return existing, nil
}
