package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/postmint/postmint/generator"
	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/discovery"
	"github.com/postmint/postmint/generator/doctor"
	"github.com/postmint/postmint/generator/dpop"
	"github.com/postmint/postmint/generator/openapi"
)

func generateCommand() *cli.Command {
	return &cli.Command{
		Name:      "generate",
		Usage:     "write a Postman collection and environment for a client definition",
		UsageText: "postmint generate -c CLIENT [-k KEY] [-o DIR] [--no-key] [--ca-file FILE] [--openapi-url-refs]",
		Description: `Writes DIR/<slug>.postman_collection.json and DIR/<slug>.postman_environment.json and prints
each path. The environment holds the private key (normalized to PKCS#8 PEM, type secret, file
mode 0600) unless --no-key is given. Import both into Postman, or run them with Newman.

Examples:
   postmint generate -c testdata/definitions/duende.yaml -k testdata/keys/rsa2048.pkcs8.pem -o out
   postmint generate -c client.yaml --no-key -o kit        # no private key in the environment
   POSTMINT_PRIVATE_KEY="$(cat client.pem)" postmint generate -c client.yaml`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "client", Aliases: []string{"c"}, Usage: "client definition `FILE` (YAML or JSON)"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: ".", Usage: "output `DIR`"},
			&cli.BoolFlag{Name: "no-key", Usage: "leave privateKey empty in the environment; no private key is needed: -k may name the public key or certificate (alg, kid, x5c), else alg is the definition's, the preset's or RS256"},
			&cli.StringFlag{Name: "ca-file", Usage: "extra trusted CA certificates (PEM `FILE`) for reading the issuer's metadata"},
			openAPIURLRefsFlag,
		}, keyFlags()...),
		Action: generateAction,
	}
}

func generateAction(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("generate takes no arguments (got %q); give the definition with -c", c.Args().First())
	}
	if c.String("client") == "" {
		return usagef("generate needs -c CLIENT (a client definition file)")
	}
	client, meta, err := loadDefinition(c, c.String("client"))
	if err != nil {
		return err
	}
	if err := refuseUnsupported(meta, client); err != nil {
		return err
	}
	m, err := generateMaterial(c, client)
	if err != nil {
		return err
	}
	opt := generator.Options{NoKey: c.Bool("no-key")}
	if client.DPoPAlg != "" {
		// The DPoP key is not the client's key: made here with crypto/rand, with --no-key too.
		k, err := dpop.NewKey(client.DPoPAlg)
		if err != nil {
			return err
		}
		if opt.DPoPKey, err = k.JWK(); err != nil {
			return err
		}
	}
	if client.OpenAPI != "" {
		if opt.API, err = openapi.Load(client.OpenAPI, openapi.Options{AllowURLRefs: c.Bool(openAPIURLRefsFlag.Name)}); err != nil {
			return fmt.Errorf("%s: openapi: %w", c.String("client"), err)
		}
		for _, w := range opt.API.Warnings {
			fmt.Fprintf(c.App.ErrWriter, "postmint: warning: %s\n", w)
		}
	}
	res, err := generator.Generate(client, m, opt)
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(c.App.ErrWriter, "postmint: warning: %s\n", w)
	}
	discoveryWarnings(c, meta, client, res.Profile.Alg)
	return writeArtifacts(c, c.String("out"), res.Artifacts)
}

// refuseUnsupported stops generate when the metadata it read says the server cannot serve the
// client's DPoP or PAR: such a collection could never get a token. (Without metadata, doctor
// warns instead.)
func refuseUnsupported(meta *discovery.Metadata, client *config.Client) error {
	if meta == nil {
		return nil
	}
	for _, f := range discovery.Check(meta, doctor.Expectation(client, "")) {
		if f.Field == discovery.FieldPAREndpoint || f.Field == discovery.FieldDPoPAlgs {
			return fmt.Errorf("%s: %s (metadata %s)", client.File, f.Msg, meta.URL)
		}
	}
	return nil
}

// openAPIURLRefsFlag lets an OpenAPI document read from a file $ref http(s) URLs; without it
// such a document resolves $refs only to files in its own folder.
var openAPIURLRefsFlag = &cli.BoolFlag{Name: "openapi-url-refs", Usage: "let an OpenAPI document read from a file $ref http(s) URLs; without it only files in its own folder"}

// writeArtifacts writes each file atomically (temp file, fsync, rename), 0600 when it holds
// a secret, and then prints their paths. The directory is created when missing; when a write
// fails, the files this call created are removed again.
func writeArtifacts(c *cli.Context, dir string, arts []generator.Artifact) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating output directory %s: %w", dir, unwrapPath(err))
	}
	var created []string
	for _, a := range arts {
		path := filepath.Join(dir, a.Name)
		mode := os.FileMode(0o644)
		if a.Secret {
			mode = 0o600
		}
		_, statErr := os.Lstat(path)
		if err := writeFileAtomic(path, a.Bytes(), mode); err != nil {
			// No half set of files: what this run created goes again.
			for _, p := range created {
				os.Remove(p)
			}
			return err
		}
		if errors.Is(statErr, fs.ErrNotExist) {
			created = append(created, path)
		}
	}
	for _, a := range arts {
		fmt.Fprintln(c.App.Writer, filepath.Join(dir, a.Name))
	}
	return nil
}
