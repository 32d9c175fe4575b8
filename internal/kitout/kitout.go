// Package kitout writes onboarding kits (generator/kit's Kit, built in memory) into the
// folder postmint kit is given: one folder or one zip per kit, each appearing whole or not at
// all (written beside its final place and renamed there), with the same bytes on every run.
// It is the one place below the command layer that writes kits; it prints nothing.
package kitout

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/postmint/postmint/generator/kit"
	"github.com/postmint/postmint/internal/safefile"
)

// ZipTime is the modification time of every zip entry, so that two runs are byte-identical.
var ZipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// NotEmptyError is Prepare's refusal of an output folder that holds something already.
type NotEmptyError struct {
	Dir     string
	Entries int
}

func (e *NotEmptyError) Error() string {
	entries := "entries"
	if e.Entries == 1 {
		entries = "entry"
	}
	return fmt.Sprintf("output directory %s is not empty (%d %s)", e.Dir, e.Entries, entries)
}

// Prepare makes sure out is a directory this process can write: created when missing,
// refused (*NotEmptyError) when it holds anything unless force.
func Prepare(out string, force bool) error {
	st, err := os.Stat(out)
	switch {
	case err == nil && !st.IsDir():
		return fmt.Errorf("output %s is not a directory", out)
	case err == nil && !force:
		entries, err := os.ReadDir(out)
		if err != nil {
			return fmt.Errorf("reading output directory %s: %w", out, safefile.Cause(err))
		}
		if len(entries) > 0 {
			return &NotEmptyError{Dir: out, Entries: len(entries)}
		}
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("output directory %s: %w", out, safefile.Cause(err))
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("creating output directory %s: %w", out, safefile.Cause(err))
	}
	probe, err := os.CreateTemp(out, ".postmint-probe-*")
	if err != nil {
		return fmt.Errorf("output directory %s is not writable: %w", out, safefile.Cause(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// Writer writes kits into Out: OUT/<slug>/ or, with Zip, OUT/<slug>.zip. An older kit of
// the same name is replaced; other files in Out are left alone. Safe for concurrent use
// (each kit has its own temporary name).
type Writer struct {
	Out string
	Zip bool
}

// Write writes one kit and returns its path.
func (w Writer) Write(k *kit.Kit) (string, error) {
	if w.Zip {
		return writeZip(w.Out, k)
	}
	return writeDir(w.Out, k)
}

// writeDir writes the kit into a temporary folder beside its final place and renames it
// there, replacing an older kit of the same name: a reader sees a whole kit or none.
func writeDir(out string, k *kit.Kit) (string, error) {
	final := filepath.Join(out, k.Slug)
	tmp, err := os.MkdirTemp(out, "."+k.Slug+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("writing kit %s: %w", final, safefile.Cause(err))
	}
	fail := func(err error) (string, error) {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("writing kit %s: %w", final, safefile.Cause(err))
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fail(err)
	}
	for _, f := range k.Files {
		if err := writePieces(filepath.Join(tmp, f.Name), f); err != nil {
			return fail(err)
		}
	}
	if err := replacePath(tmp, final); err != nil {
		return fail(err)
	}
	return final, nil
}

// writePieces writes one file of a kit, piece by piece: a collection's API items are shared
// by every kit made from one OpenAPI document and are written from there, not copied first.
func writePieces(path string, f kit.File) error {
	w, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteTo(w); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// writeZip streams the kit into OUT/<slug>.zip: entries under <slug>/ in the kit's order,
// all with the same fixed time and mode, so the bytes depend on the content alone.
func writeZip(out string, k *kit.Kit) (string, error) {
	final := filepath.Join(out, k.Slug+".zip")
	f, err := os.CreateTemp(out, "."+k.Slug+".zip.tmp-*")
	if err != nil {
		return "", fmt.Errorf("writing kit %s: %w", final, safefile.Cause(err))
	}
	fail := func(err error) (string, error) {
		f.Close()
		os.Remove(f.Name())
		return "", fmt.Errorf("writing kit %s: %w", final, safefile.Cause(err))
	}
	bw := bufio.NewWriterSize(f, 256<<10)
	zw := zip.NewWriter(bw)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	for _, file := range k.Files {
		h := &zip.FileHeader{Name: k.Slug + "/" + file.Name, Method: zip.Deflate, Modified: ZipTime}
		h.SetMode(0o644)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return fail(err)
		}
		if _, err := file.WriteTo(w); err != nil {
			return fail(err)
		}
	}
	if err := zw.Close(); err != nil {
		return fail(err)
	}
	if err := bw.Flush(); err != nil {
		return fail(err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("writing kit %s: %w", final, safefile.Cause(err))
	}
	if err := replacePath(f.Name(), final); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("writing kit %s: %w", final, safefile.Cause(err))
	}
	return final, nil
}

// replacePath renames src to dst. An existing dst (a kit from an earlier run, with --force)
// is moved aside first and removed after, since a folder cannot be renamed over another.
func replacePath(src, dst string) error {
	old := ""
	if _, err := os.Lstat(dst); err == nil {
		old = dst + ".old-" + filepath.Base(src)
		if err := os.Rename(dst, old); err != nil {
			return err
		}
	}
	if err := os.Rename(src, dst); err != nil {
		if old != "" {
			_ = os.Rename(old, dst)
		}
		return err
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}
