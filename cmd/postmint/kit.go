package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/postmint/postmint/generator/discovery"
	"github.com/postmint/postmint/generator/kit"
	"github.com/postmint/postmint/internal/kitout"
)

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
	if err := kitout.Prepare(out, c.Bool("force")); err != nil {
		var full *kitout.NotEmptyError
		if errors.As(err, &full) {
			return withHint(err, "write to a new folder, or add --force to write into it (kits of the same name are replaced, other files kept)")
		}
		return err
	}

	jobs := kit.Load(defs, clients, kit.Options{Discover: func(issuer string) (*discovery.Metadata, error) {
		meta, err := discover(c, issuer)
		if err == nil {
			notef(c, "discovered the endpoints of %s (from %s)", issuer, meta.URL)
		}
		return meta, err
	}})
	zipped := c.Bool("zip")
	opt := kit.BuildOptions{Workers: c.Int("jobs"), Write: kitout.Writer{Out: out, Zip: zipped}.Write}
	bar := newKitProgress(c.App.ErrWriter, kit.Loaded(jobs))
	if bar != nil {
		opt.Done = func() { _ = bar.Add(1) }
	}
	b := &kit.Builder{AllowURLRefs: c.Bool(openAPIURLRefsFlag.Name)}
	results := b.BuildAll(jobs, opt)
	if bar != nil {
		_ = bar.Finish()
	}

	return reportKits(c, jobs, results, out, zipped, start)
}

// reportKits prints the kits in input order: warnings and notes (one many kits share, from
// one base, one OpenAPI document or the default alg, said once with a count), each failure,
// each written path, and the summary (an error when any kit failed).
func reportKits(c *cli.Context, jobs []*kit.Job, results []kit.Result, out string, zipped bool, start time.Time) error {
	printGrouped(c, "warning", kit.Grouped(jobs, results, func(r kit.Result) []string { return r.Warnings }))
	printGrouped(c, "note", kit.Grouped(jobs, results, func(r kit.Result) []string { return r.Notes }))
	written, failed := 0, 0
	for _, r := range results {
		if r.Err != nil {
			failed++
			fmt.Fprintf(c.App.ErrWriter, "postmint: %s\n", oneLine(r.Err.Error()))
			continue
		}
		written++
		fmt.Fprintln(c.App.Writer, r.Path)
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

// printGrouped prints each grouped message on its own line, with the count of the other kits
// that have it.
func printGrouped(c *cli.Context, kind string, said []kit.Said) {
	for _, s := range said {
		more := ""
		if s.Others > 0 {
			more = fmt.Sprintf(" (and %d more kit%s)", s.Others, plural(s.Others))
		}
		fmt.Fprintf(c.App.ErrWriter, "postmint: %s: %s: %s%s\n", kind, s.Label, oneLine(s.Text), more)
	}
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
