package main

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/postmint/postmint/generator/discovery"
	"github.com/postmint/postmint/generator/kit"
)

// zipTime is the modification time of every zip entry, so that two runs are byte-identical.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

func kitCommand() *cli.Command {
	return &cli.Command{
		Name:      "kit",
		Usage:     "write an onboarding kit per client: collection, environment without private key, README, jwks.json",
		UsageText: "postmint kit -c CLIENT... [--clients FILE] -o OUT [--zip] [--force] [-j N] [--openapi-url-refs]",
		Description: `Makes one onboarding kit per client definition, for partners who add their own private key:
OUT/<slug>/ (or OUT/<slug>.zip with --zip) holding README.md, <slug>.postman_collection.json,
<slug>.postman_environment.json (privateKey empty), client.yaml (the definition), and jwks.json
when the definition's key: names the partner's PUBLIC key, certificate or public JWK (a private
key there is refused). openapi: in a definition fills the API folder from a Swagger 2.0 or OpenAPI 3.x
document. --clients FILE holds many definitions: a shared base and one entry per partner.

Kits are built in parallel; a bad definition is reported by file, line and field and the
others are still written; the exit code is 1 if any kit failed. Each written kit's path is
printed on stdout, a summary line on stderr.

Examples:
   postmint kit -c partners/acme.yaml -c partners/globex.yaml -o kits
   postmint kit --clients partners.yaml -o kits --zip
   postmint kit -o kits -c partners/*.yaml`,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "client", Aliases: []string{"c"}, Usage: "client definition `FILE` (repeat, or list more files as arguments)"},
			&cli.StringSliceFlag{Name: "clients", Usage: "clients `FILE`: version: 1, base: (shared fields), clients: (one entry per partner)"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "output `DIR` (must be empty or missing, unless --force)"},
			&cli.BoolFlag{Name: "zip", Usage: "write OUT/<slug>.zip per kit instead of a folder"},
			&cli.BoolFlag{Name: "force", Usage: "write into a non-empty OUT, replacing kits of the same name"},
			&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, DefaultText: "the number of CPUs", Usage: "build `N` kits at a time"},
			openAPIURLRefsFlag,
		},
		Action: kitAction,
	}
}

// kitResult is what became of one job.
type kitResult struct {
	path     string
	err      error
	warnings []string
	notes    []string
}

// grouped says each distinct warning (or note) of the kits once, for the first kit that has
// it, with the count of the others.
func grouped(c *cli.Context, kind string, jobs []*kit.Job, results []kitResult, of func(kitResult) []string) {
	type line struct {
		label string
		n     int
	}
	lines := map[string]*line{}
	var order []string
	for i, r := range results {
		for _, w := range of(r) {
			if x, ok := lines[w]; ok {
				x.n++
				continue
			}
			lines[w] = &line{label: jobs[i].Label, n: 1}
			order = append(order, w)
		}
	}
	for _, w := range order {
		x := lines[w]
		more := ""
		if x.n > 1 {
			more = fmt.Sprintf(" (and %d more kit%s)", x.n-1, plural(x.n-1))
		}
		fmt.Fprintf(c.App.ErrWriter, "postmint: %s: %s: %s%s\n", kind, x.label, oneLine(w), more)
	}
}

func kitAction(c *cli.Context) error {
	start := timeNow()
	defs := append(c.StringSlice("client"), c.Args().Slice()...)
	clients := c.StringSlice("clients")
	out := c.String("out")
	switch {
	case len(defs) == 0 && len(clients) == 0:
		return usagef("kit needs client definitions: -c CLIENT (repeatable) or --clients FILE")
	case out == "":
		return usagef("kit needs -o OUT, the folder the kits go into")
	case c.Int("jobs") < 0:
		return usagef("--jobs must be a positive number, not %d", c.Int("jobs"))
	}
	if err := prepareKitDir(out, c.Bool("force")); err != nil {
		return err
	}

	jobs := kit.Load(defs, clients, kit.Options{Discover: func(issuer string) (*discovery.Metadata, error) {
		meta, err := discover(c, issuer)
		if err == nil {
			notef(c, "discovered the endpoints of %s (from %s)", issuer, meta.URL)
		}
		return meta, err
	}})
	results := make([]kitResult, len(jobs))
	var todo []int
	for i, j := range jobs {
		if j.Err != nil {
			results[i].err = j.Err
			continue
		}
		todo = append(todo, i)
	}

	workers := c.Int("jobs")
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, len(todo)))
	bar := newKitProgress(c.App.ErrWriter, len(todo))
	b := &kit.Builder{AllowURLRefs: c.Bool(openAPIURLRefsFlag.Name)}
	zipped := c.Bool("zip")
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = buildAndWrite(b, jobs[i], out, zipped)
				if bar != nil {
					_ = bar.Add(1)
				}
			}
		}()
	}
	for _, i := range todo {
		next <- i
	}
	close(next)
	wg.Wait()
	if bar != nil {
		_ = bar.Finish()
	}

	// Report in input order, whatever order the workers finished in. A warning or note many
	// kits share (one base, one OpenAPI document, the default alg) is said once, for the first
	// kit, with a count.
	grouped(c, "warning", jobs, results, func(r kitResult) []string { return r.warnings })
	grouped(c, "note", jobs, results, func(r kitResult) []string { return r.notes })
	written, failed := 0, 0
	for _, r := range results {
		if r.err != nil {
			failed++
			fmt.Fprintf(c.App.ErrWriter, "postmint: %s\n", oneLine(r.err.Error()))
			continue
		}
		written++
		fmt.Fprintln(c.App.Writer, r.path)
	}
	elapsed := timeNow().Sub(start).Round(time.Millisecond)
	kind := "folder"
	if zipped {
		kind = "zip"
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d kits failed; %d written to %s (%s) in %s", failed, len(jobs), written, out, kind, elapsed)
	}
	notef(c, "%d kit%s written to %s (%s) in %s", written, plural(written), out, kind, elapsed)
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// newKitProgress is a progress bar on stderr when stderr is a terminal and this is not CI;
// nil otherwise (a pipe, a file, a CI log get only the summary).
func newKitProgress(w io.Writer, n int) *progressbar.ProgressBar {
	f, ok := w.(*os.File)
	if !ok || n < 2 || !term.IsTerminal(int(f.Fd())) || getenv("CI") != "" || getenv("TERM") == "dumb" {
		return nil
	}
	return progressbar.NewOptions(n,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription("kits"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(80*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

// prepareKitDir makes sure out is a directory this process can write: created when missing,
// refused when it holds anything unless force.
func prepareKitDir(out string, force bool) error {
	st, err := os.Stat(out)
	switch {
	case err == nil && !st.IsDir():
		return fmt.Errorf("output %s is not a directory", out)
	case err == nil && !force:
		entries, err := os.ReadDir(out)
		if err != nil {
			return fmt.Errorf("reading output directory %s: %w", out, unwrapPath(err))
		}
		if len(entries) > 0 {
			return withHint(fmt.Errorf("output directory %s is not empty (%d entr%s)", out, len(entries), map[bool]string{true: "y", false: "ies"}[len(entries) == 1]),
				"write to a new folder, or add --force to write into it (kits of the same name are replaced, other files kept)")
		}
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("output directory %s: %w", out, unwrapPath(err))
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("creating output directory %s: %w", out, unwrapPath(err))
	}
	probe, err := os.CreateTemp(out, ".postmint-probe-*")
	if err != nil {
		return fmt.Errorf("output directory %s is not writable: %w", out, unwrapPath(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

func buildAndWrite(b *kit.Builder, j *kit.Job, out string, zipped bool) kitResult {
	k, err := b.Build(j)
	if err != nil {
		return kitResult{err: err}
	}
	r := kitResult{warnings: k.Warnings, notes: k.Notes}
	if zipped {
		r.path, r.err = writeKitZip(out, k)
	} else {
		r.path, r.err = writeKitDir(out, k)
	}
	return r
}

// writeKitDir writes the kit into a temporary folder beside its final place and renames it
// there, replacing an older kit of the same name: a reader sees a whole kit or none.
func writeKitDir(out string, k *kit.Kit) (string, error) {
	final := filepath.Join(out, k.Slug)
	tmp, err := os.MkdirTemp(out, "."+k.Slug+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("writing kit %s: %w", final, unwrapPath(err))
	}
	fail := func(err error) (string, error) {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("writing kit %s: %w", final, unwrapPath(err))
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fail(err)
	}
	for _, f := range k.Files {
		if err := writeKitPieces(filepath.Join(tmp, f.Name), f); err != nil {
			return fail(err)
		}
	}
	if err := replacePath(tmp, final); err != nil {
		return fail(err)
	}
	return final, nil
}

// writeKitPieces writes one file of a kit, piece by piece: a collection's API items are shared
// by every kit made from one OpenAPI document and are written from there, not copied first.
func writeKitPieces(path string, f kit.File) error {
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

// writeKitZip streams the kit into OUT/<slug>.zip: entries under <slug>/ in the kit's order,
// all with the same fixed time and mode, so the bytes depend on the content alone.
func writeKitZip(out string, k *kit.Kit) (string, error) {
	final := filepath.Join(out, k.Slug+".zip")
	f, err := os.CreateTemp(out, "."+k.Slug+".zip.tmp-*")
	if err != nil {
		return "", fmt.Errorf("writing kit %s: %w", final, unwrapPath(err))
	}
	fail := func(err error) (string, error) {
		f.Close()
		os.Remove(f.Name())
		return "", fmt.Errorf("writing kit %s: %w", final, unwrapPath(err))
	}
	bw := bufio.NewWriterSize(f, 256<<10)
	zw := zip.NewWriter(bw)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	for _, file := range k.Files {
		h := &zip.FileHeader{Name: k.Slug + "/" + file.Name, Method: zip.Deflate, Modified: zipTime}
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
		return "", fmt.Errorf("writing kit %s: %w", final, unwrapPath(err))
	}
	if err := replacePath(f.Name(), final); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("writing kit %s: %w", final, unwrapPath(err))
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
