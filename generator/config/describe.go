package config

import (
	"fmt"
	"sort"
	"strings"
)

// FindPreset returns the preset called name, or an ErrUnknownPreset error that names the
// closest preset when there is one.
func FindPreset(name string) (*Preset, error) {
	if p, ok := LookupPreset(name); ok {
		return p, nil
	}
	return nil, fmt.Errorf("%w %q; %s", ErrUnknownPreset, name, unknownPresetHint(name))
}

// unknownPresetHint says what to do about an unknown preset name.
func unknownPresetHint(name string) string {
	if s := Closest(name, PresetNames()); s != "" {
		return fmt.Sprintf("did you mean %q? (`postmint presets` lists them)", s)
	}
	return "run `postmint presets` to list them"
}

// PresetColumns head the list of presets (`postmint presets`); Summary fills one row.
var PresetColumns = []string{"NAME", "GRANT", "AUDIENCE", "ALG", "LIFETIME", "TITLE"}

// Summary is the preset's row in the list of presets, in PresetColumns' order.
func (p *Preset) Summary() []string {
	return []string{p.Name, p.GrantType, p.Audience, firstNonEmpty(p.Alg, "from key"),
		fmt.Sprintf("%s (max %s)", FormatDuration(p.Lifetime), FormatDuration(p.MaxLifetime)), p.Title}
}

// Describe is the preset in words (`postmint presets NAME`): rows of a two-column table, each
// a rule and what it means for a definition, then the lines said under the table (why its
// grant, where its rules come from).
func (p *Preset) Describe() (rows [][2]string, after []string) {
	rows = [][2]string{
		{"name", p.Name},
		{"title", p.Title},
		{"grant_type", p.GrantType + " (when the definition sets no grant_type:)"},
		{"audience", p.Audience + " (" + p.AudienceDescription() + ")"},
		{"token_url", firstNonEmpty(p.TokenURL, derivedFrom(p.TokenPath, "token_url"))},
		{"issuer", firstNonEmpty(p.Issuer, "from the definition")},
		{"alg", firstNonEmpty(p.Alg, "from the key (RSA RS256, P-256 ES256, P-384 ES384, P-521 ES512, Ed25519 EdDSA)")},
		{"algs", strings.Join(p.Algs, " ")},
		{"lifetime", fmt.Sprintf("%s (max %s)", FormatDuration(p.Lifetime), FormatDuration(p.MaxLifetime))},
		{"send_client_id", fmt.Sprint(p.SendClientID)},
		{"scope", "as " + p.ScopeIn.Words()},
		{"sub", map[string]string{"client_id": "the client id", "none": "not sent"}[p.Subject]},
		{"key id", p.KeyID},
		{"headers", firstNonEmpty(strings.Join(p.headerWords(), ", "), "none beyond alg")},
	}
	if p.DPoP {
		how := " by default"
		if p.RequireDPoP {
			how = ", required"
		}
		rows = append(rows, [2]string{"dpop", fmt.Sprintf("DPoP-bound tokens (RFC 9449)%s; proofs %s", how, firstNonEmpty(strings.Join(p.DPoPAlgs, " "), "ES256"))})
	}
	if p.PAR || p.PARPath != "" {
		how := "par: true pushes the authorization request (RFC 9126)"
		switch {
		case p.RequirePAR:
			how = "pushed authorization requests (RFC 9126) required"
		case p.PAR:
			how = "pushed authorization requests (RFC 9126) by default"
		}
		where := "par_endpoint: or the server's metadata"
		if p.PARPath != "" {
			where = derivedFrom(p.PARPath, "par_endpoint")
		}
		rows = append(rows, [2]string{"par", fmt.Sprintf("authorization_code: %s, at %s", how, where)})
	}
	if p.GrantNote != "" {
		after = append(after, fmt.Sprintf("why %s: %s", p.GrantType, p.GrantNote))
	}
	return rows, append(after, "provenance: "+p.Provenance)
}

// headerWords are the JOSE header choices the preset makes, sorted.
func (p *Preset) headerWords() []string {
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
	return hdr
}

// derivedFrom says where an endpoint comes from when the preset knows its path under the
// issuer (field is the definition's field that overrides it).
func derivedFrom(path, field string) string {
	if path == "" {
		return "from the definition"
	}
	return "<issuer>" + path + " unless the definition gives " + field
}
