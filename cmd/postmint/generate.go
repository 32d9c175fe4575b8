package main

import (
	"fmt"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/postmint/postmint/generator/collection"
	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/discovery"
	"github.com/postmint/postmint/generator/keysource"
	"github.com/postmint/postmint/generator/openapi"
	"github.com/postmint/postmint/generator/profile"
	"github.com/postmint/postmint/internal/clihelp"
	"github.com/postmint/postmint/internal/safefile"
)

func generateCommand() *cli.Command {
	return &cli.Command{
		Name:      "generate",
		Before:    clihelp.NoArgs("give the definition with -c"),
		Usage:     "write a Postman collection and environment for a client definition",
		UsageText: "postmint generate -c CLIENT [-k KEY] [-o DIR] [--no-key | --vault] [--ca-file FILE] [--openapi-url-refs]",
		Description: `Writes DIR/<slug>.postman_collection.json and DIR/<slug>.postman_environment.json and prints
each path. The environment holds the private key (normalized to PKCS#8 PEM, type secret, file
mode 0600) unless --no-key or --vault is given. Import both into Postman, or run them with Newman.

For the Postman app, use --vault: the environment then holds {{vault:<slug>-private-key}}
(and {{vault:<slug>-dpop-key}} for DPoP), never the key, and the key lives in your Postman
Vault, which Postman does not sync. stderr says which secret to add. Newman and the Postman
CLI have no Postman Vault: in CI, run postmint refresh with POSTMINT_PRIVATE_KEY first.

Examples:
   postmint generate -c testdata/definitions/duende.yaml -k testdata/keys/rsa2048.pkcs8.pem -o out
   postmint generate -c client.yaml -k client.key.pem --vault -o out   # the Postman app
   postmint generate -c client.yaml --no-key -o kit        # no private key in the environment
   POSTMINT_PRIVATE_KEY="$(cat client.pem)" postmint generate -c client.yaml`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "client", Aliases: []string{"c"}, Usage: "client definition `FILE` (YAML or JSON)"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: ".", Usage: "output `DIR`"},
			&cli.BoolFlag{Name: "vault", Usage: "write privateKey (and dpopKey) as Postman Vault references {{vault:NAME}}, never the key; stderr names the secret to add to your Postman Vault"},
			&cli.BoolFlag{Name: "no-key", Usage: "leave privateKey empty in the environment; no private key is needed: -k may name the public key or certificate (alg, kid, x5c), else alg is the definition's, the preset's or RS256"},
			&cli.StringFlag{Name: "ca-file", Usage: "extra trusted CA certificates (PEM `FILE`) for reading the issuer's metadata"},
			openAPIURLRefsFlag,
		}, keyFlags()...),
		Action: generateAction,
	}
}

func generateAction(c *cli.Context) error {
	if c.String("client") == "" {
		return usagef("generate needs -c CLIENT (a client definition file)")
	}
	if c.Bool("no-key") && c.Bool("vault") {
		return usagef("give --no-key or --vault, not both")
	}
	client, meta, err := loadDefinition(c, c.String("client"))
	if err != nil {
		return err
	}
	if meta != nil {
		if f, bad := discovery.Unusable(meta, client.Expectation("")); bad {
			return fmt.Errorf("%s: %s (metadata %s)", client.File, f.Msg, meta.URL)
		}
	}
	m, err := generateMaterial(c, client)
	if err != nil {
		return err
	}
	opt := collection.Options{NoKey: c.Bool("no-key"), Vault: c.Bool("vault"), NewDPoPKey: true}
	if client.OpenAPI != "" {
		if opt.API, err = openapi.Load(client.OpenAPI, openapi.Options{AllowURLRefs: c.Bool(openAPIURLRefsFlag.Name)}); err != nil {
			return fmt.Errorf("%s: openapi: %w", c.String("client"), err)
		}
		for _, w := range opt.API.Warnings {
			fmt.Fprintf(c.App.ErrWriter, "postmint: warning: %s\n", w)
		}
	}
	res, err := collection.Generate(client, m, opt)
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(c.App.ErrWriter, "postmint: warning: %s\n", w)
	}
	discoveryWarnings(c, meta, client, res.Profile.Alg)
	if err := writeArtifacts(c, c.String("out"), res.Artifacts); err != nil {
		return err
	}
	keyFile := c.String("key")
	if keyFile == "" {
		keyFile = "your key file"
	}
	for _, n := range res.KeyNotes(filepath.Join(c.String("out"), res.Environment.Name), keyFile) {
		notef(c, "%s", n)
	}
	return nil
}

// generateMaterial is the key material generate works with: the private key (material), or
// with --no-key or --vault, where the private key is never written, keysource's public
// material (-k may name a public key, certificate or public JWK), the default alg said on stderr.
func generateMaterial(c *cli.Context, client *config.Client) (profile.Material, error) {
	if !c.Bool("no-key") && !c.Bool("vault") {
		return material(c, client)
	}
	src, err := keySources(c)
	if err != nil {
		return profile.Material{}, err
	}
	m, defaulted, err := keysource.NoKeyMaterial(client, src, timeNow())
	if defaulted {
		notef(c, "%s", profile.DefaultAlgNote)
	}
	return m, storePasswordHint(err, src.Options)
}

// openAPIURLRefsFlag lets an OpenAPI document read from a file $ref http(s) URLs; without it
// such a document resolves $refs only to files in its own folder.
var openAPIURLRefsFlag = &cli.BoolFlag{Name: "openapi-url-refs", Usage: "let an OpenAPI document read from a file $ref http(s) URLs; without it only files in its own folder"}

// writeArtifacts writes the files (safefile.WriteAll: atomically, 0600 when one holds a
// secret, no half set on a failure) and then prints their paths.
func writeArtifacts(c *cli.Context, dir string, arts []collection.Artifact) error {
	files := make([]safefile.File, len(arts))
	for i, a := range arts {
		files[i] = safefile.File{Name: a.Name, Data: a.Bytes(), Secret: a.Secret}
	}
	paths, err := safefile.WriteAll(dir, files)
	printPaths(c, paths)
	return err
}

// printPaths prints the paths of the files written, one per line.
func printPaths(c *cli.Context, paths []string) {
	for _, p := range paths {
		fmt.Fprintln(c.App.Writer, p)
	}
}
