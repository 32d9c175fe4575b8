package main

import (
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/postmint/postmint/generator/config"
)

func presetsCommand() *cli.Command {
	return &cli.Command{
		Name:      "presets",
		Usage:     "list the identity provider presets, or show one",
		UsageText: "postmint presets [NAME]",
		Description: `Examples:
   postmint presets
   postmint presets maskinporten`,
		Action: presetsAction,
	}
}

func presetsAction(c *cli.Context) error {
	out := c.App.Writer
	if c.NArg() > 1 {
		return usagef("presets takes at most one NAME")
	}
	if c.NArg() == 0 {
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tGRANT\tAUDIENCE\tALG\tLIFETIME\tTITLE")
		for _, n := range config.PresetNames() {
			p, _ := config.LookupPreset(n)
			alg := p.Alg
			if alg == "" {
				alg = "from key"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s (max %s)\t%s\n", p.Name, p.GrantType, p.Audience, alg, config.FormatDuration(p.Lifetime), config.FormatDuration(p.MaxLifetime), p.Title)
		}
		return tw.Flush()
	}
	p, ok := config.LookupPreset(c.Args().First())
	if !ok {
		if s := config.Closest(c.Args().First(), config.PresetNames()); s != "" {
			return fmt.Errorf("unknown preset %q; did you mean %q? (`postmint presets` lists them)", c.Args().First(), s)
		}
		return fmt.Errorf("unknown preset %q; run `postmint presets` to list them", c.Args().First())
	}
	alg := p.Alg
	if alg == "" {
		alg = "from the key (RSA RS256, P-256 ES256, P-384 ES384, P-521 ES512, Ed25519 EdDSA)"
	}
	var hdr []string
	if p.Headers.Typ != "" {
		hdr = append(hdr, "typ: "+p.Headers.Typ)
	}
	for name, on := range map[string]bool{"x5c": p.Headers.X5C, "x5t#S256": p.Headers.X5TS256, "x5t": p.Headers.X5T} {
		if on {
			hdr = append(hdr, name)
		}
	}
	sort.Strings(hdr)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	rows := [][2]string{
		{"name", p.Name},
		{"title", p.Title},
		{"grant_type", p.GrantType + " (when the definition sets no grant_type:)"},
		{"audience", p.Audience + " (" + p.AudienceDescription() + ")"},
		{"token_url", firstOf(p.TokenURL, derivedFrom(p.TokenPath))},
		{"issuer", firstOf(p.Issuer, "from the definition")},
		{"alg", alg},
		{"algs", strings.Join(p.Algs, " ")},
		{"lifetime", fmt.Sprintf("%s (max %s)", config.FormatDuration(p.Lifetime), config.FormatDuration(p.MaxLifetime))},
		{"send_client_id", fmt.Sprint(p.SendClientID)},
		{"scope", "as " + p.ScopeIn.Words()},
		{"sub", map[string]string{"client_id": "the client id", "none": "not sent"}[p.Subject]},
		{"key id", p.KeyID},
		{"headers", firstOf(strings.Join(hdr, ", "), "none beyond alg")},
	}
	if p.DPoP {
		rows = append(rows, [2]string{"dpop", fmt.Sprintf("DPoP-bound tokens (RFC 9449)%s; proofs %s", map[bool]string{true: ", required", false: " by default"}[p.RequireDPoP], firstOf(strings.Join(p.DPoPAlgs, " "), "ES256"))})
	}
	if p.PAR || p.PARPath != "" {
		rows = append(rows, [2]string{"par", fmt.Sprintf("authorization_code: %s, at %s", map[bool]string{true: "pushed authorization requests (RFC 9126) required", false: map[bool]string{true: "pushed authorization requests (RFC 9126) by default", false: "par: true pushes the authorization request (RFC 9126)"}[p.PAR]}[p.RequirePAR], parWhere(p.PARPath))})
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s:\t%s\n", r[0], r[1])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if p.GrantNote != "" {
		fmt.Fprintf(out, "why %s: %s\n", p.GrantType, p.GrantNote)
	}
	fmt.Fprintf(out, "provenance: %s\n", p.Provenance)
	return nil
}

func derivedFrom(path string) string {
	if path == "" {
		return "from the definition"
	}
	return "<issuer>" + path + " unless the definition gives token_url"
}

func parWhere(path string) string {
	if path == "" {
		return "par_endpoint: or the server's metadata"
	}
	return "<issuer>" + path + " unless the definition gives par_endpoint"
}

func firstOf(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
