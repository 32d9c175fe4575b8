package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/postmint/postmint/generator/discovery"
	"github.com/postmint/postmint/generator/oauth"
)

// Client is a definition with its preset applied and every rule made concrete. It carries no
// key material; the generator combines it with a key.
type Client struct {
	Name, Slug   string
	Preset       *Preset // never nil: the generic rules when the definition names none
	TokenURL     string
	Issuer       string
	ClientID     string
	GrantType    string // client_credentials | jwt_bearer | authorization_code
	Alg          string // "" = from the key
	Algs         []string
	Kid          string
	KeyIDRule    string
	Audience     string // the concrete aud value
	AudienceRule string // token_endpoint | issuer | issuer_slash | fixed
	Lifetime     time.Duration
	MaxLifetime  time.Duration
	Scope        Scope
	ScopeIn      oauth.ScopePlacement
	SendClientID bool
	Subject      string // the sub claim, "" for none
	Typ          string
	X5C          bool
	X5TS256      bool
	X5T          bool
	Claims       map[string]any
	Form         map[string]string
	KeyPath      string // absolute or relative to the working directory; "" when none
	CertPath     string
	RedirectURI  string
	// AuthorizationEndpoint is where the user logs in (authorization_code only).
	AuthorizationEndpoint string
	// PAREndpoint receives the authorization request first (RFC 9126); "" when PAR is off.
	PAREndpoint string
	// DPoPAlg signs DPoP proofs (RFC 9449); "" for bearer tokens.
	DPoPAlg  string
	Requests []Request
	// OpenAPI is the OpenAPI document (a path resolved against the definition's directory,
	// or an http(s) URL) whose operations fill the API folder; "" for none.
	OpenAPI string
	// Warnings are problems that do not stop generation (an http:// token URL, say).
	Warnings []string
	File     string
}

// CertificateHeader names the first JOSE header the client sends that needs a certificate
// (x5c, then x5t#S256, then x5t), or "" when it sends none.
func (c *Client) CertificateHeader() string {
	switch {
	case c.X5C:
		return "x5c"
	case c.X5TS256:
		return "x5t#S256"
	case c.X5T:
		return "x5t"
	}
	return ""
}

// GrantWire is the grant_type form value.
func (c *Client) GrantWire() string { return oauth.Grant(c.GrantType).Wire() }

func checkAudienceRule(rule string) error {
	switch rule {
	case AudienceTokenEndpoint, AudienceIssuer, AudienceIssuerSlash:
		return nil
	}
	if u, err := url.Parse(rule); err == nil && u.IsAbs() {
		return nil
	}
	return fmt.Errorf("audience must be token_endpoint, issuer, issuer_slash or an absolute URL, not %q", rule)
}

var slugSep = regexp.MustCompile(`[^a-z0-9]+`)

// windowsDevice matches the names Windows reserves for devices (CON, PRN, AUX, NUL, COM1-9,
// LPT1-9), which it refuses as a file name with or without an extension: "con.zip" cannot be
// unzipped there.
var windowsDevice = regexp.MustCompile(`^(con|prn|aux|nul|com[1-9]|lpt[1-9])$`)

// Slug is the definition name's lowercase words joined by '-': the base of every file name
// postmint writes for it. A Windows device name gets a trailing '_' (con_), which no other
// name's slug has.
func Slug(name string) string {
	s := strings.Trim(slugSep.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if windowsDevice.MatchString(s) {
		s += "_"
	}
	return s
}

// Resolve applies the preset and validates everything that does not need the key, in named
// steps; the first problem is the error.
func (d *Definition) Resolve() (*Client, error) {
	if err := d.checkHostile(); err != nil {
		return nil, err
	}
	p, err := d.preset()
	if err != nil {
		return nil, err
	}
	c := &Client{Name: d.Name, Preset: p, File: d.File}
	for _, step := range []func(*Definition) error{
		c.resolveIdentity, c.resolveEndpoints, c.resolveAudience, c.resolveSigning, c.resolveScope,
		c.resolveHeaders, c.resolveExtras, c.resolveCodeFlow, c.resolvePAR, c.resolveDPoP, c.resolveRequests,
	} {
		if err := step(d); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// fieldError names the field (and the line of its top-level key) in a resolve error.
func (d *Definition) fieldError(field, msg string, kind error) error {
	return &FieldError{File: d.File, Line: d.lines[strings.SplitN(field, ".", 2)[0]], Field: field, Err: kind, Msg: msg}
}

// preset is the definition's preset, or the generic rules when it names none.
func (d *Definition) preset() (*Preset, error) {
	if d.Preset == "" {
		return &genericPreset, nil
	}
	p, ok := allPresets()[d.Preset]
	if !ok {
		return nil, d.fieldError("preset", fmt.Sprintf("unknown preset %q; %s", d.Preset, unknownPresetHint(d.Preset)), ErrUnknownPreset)
	}
	return p, nil
}

// resolveIdentity takes the name (and its slug), the client id and the grant.
func (c *Client) resolveIdentity(d *Definition) error {
	if strings.TrimSpace(d.Name) == "" {
		return d.fieldError("name", "missing; add e.g. `name: Acme Orders (test)` (it names the files)", ErrMissingField)
	}
	if c.Slug = Slug(d.Name); c.Slug == "" {
		return d.fieldError("name", fmt.Sprintf("%q has no letters or digits to make a file name from", d.Name), ErrBadValue)
	}
	if c.ClientID = strings.TrimSpace(d.ClientID); c.ClientID == "" {
		return d.fieldError("client_id", "missing; add the client id the provider registered for you", ErrMissingField)
	}

	c.GrantType = firstNonEmpty(d.GrantType, c.Preset.GrantType)
	if g, err := oauth.ParseGrant(c.GrantType); err != nil || string(g) != c.GrantType {
		return d.fieldError("grant_type", fmt.Sprintf("%q is not one of client_credentials, jwt_bearer, authorization_code", c.GrantType), ErrBadValue)
	}
	return nil
}

// resolveEndpoints takes the issuer and the token URL (derived from the issuer where the preset knows the path).
func (c *Client) resolveEndpoints(d *Definition) error {
	c.Issuer = firstNonEmpty(d.Issuer, c.Preset.Issuer)
	if c.Issuer != "" {
		if err := checkURL(c.Issuer); err != nil {
			return d.fieldError("issuer", err.Error(), ErrBadValue)
		}
	}
	c.TokenURL = firstNonEmpty(d.TokenURL, c.Preset.TokenURL)
	if c.TokenURL == "" {
		c.TokenURL = c.fromIssuer(c.Preset.TokenPath)
	}
	if c.TokenURL == "" {
		msg := "missing; add the provider's token endpoint URL"
		if c.Preset.TokenPath != "" {
			msg += fmt.Sprintf(" (or issuer:, from which preset %s derives <issuer>%s)", c.Preset.Name, c.Preset.TokenPath)
		}
		return d.fieldError("token_url", msg, ErrMissingField)
	}
	if err := checkURL(c.TokenURL); err != nil {
		return d.fieldError("token_url", err.Error(), ErrBadValue)
	}
	for _, u := range []string{c.TokenURL, c.Issuer} {
		if w := plainHTTPWarning(u); w != "" {
			c.Warnings = append(c.Warnings, w)
		}
	}
	return nil
}

// resolveAudience makes the audience rule concrete.
func (c *Client) resolveAudience(d *Definition) error {
	c.AudienceRule = firstNonEmpty(d.Audience, c.Preset.Audience)
	if err := checkAudienceRule(c.AudienceRule); err != nil {
		return d.fieldError("audience", err.Error(), ErrBadValue)
	}
	switch c.AudienceRule {
	case AudienceTokenEndpoint:
		c.Audience = c.TokenURL
	case AudienceIssuer, AudienceIssuerSlash:
		if c.Issuer == "" {
			return d.fieldError("issuer", fmt.Sprintf("missing; the audience rule (%s) needs the issuer URL", describeAudience(c.AudienceRule)), ErrMissingField)
		}
		c.Audience = c.Issuer
		if c.AudienceRule == AudienceIssuerSlash {
			c.Audience = strings.TrimRight(c.Issuer, "/") + "/"
		}
	default:
		c.Audience, c.AudienceRule = c.AudienceRule, "fixed"
	}
	return nil
}

// resolveSigning takes the algorithm, the key id rule and the lifetime.
func (c *Client) resolveSigning(d *Definition) error {
	c.Algs = c.Preset.Algs
	if d.Alg != "" {
		if !oauth.IsAlg(d.Alg) {
			return d.fieldError("alg", fmt.Sprintf("%q is not supported; use one of %s", d.Alg, oauth.AlgList()), ErrBadValue)
		}
		c.Alg = d.Alg
	} else {
		c.Alg = c.Preset.Alg
	}
	c.Kid, c.KeyIDRule = d.Kid, c.Preset.KeyID

	c.Lifetime, c.MaxLifetime = c.Preset.Lifetime, c.Preset.MaxLifetime
	if d.Lifetime != nil {
		c.Lifetime = d.Lifetime.Duration
		if c.Lifetime <= 0 {
			return d.fieldError("lifetime", fmt.Sprintf("%s must be positive; write e.g. 60s", FormatDuration(c.Lifetime)), ErrBadValue)
		}
		if c.Lifetime%time.Second != 0 {
			return d.fieldError("lifetime", "must be a whole number of seconds", ErrBadValue)
		}
		if c.Lifetime > c.MaxLifetime {
			return d.fieldError("lifetime", fmt.Sprintf("%s is over the %s maximum of %s; shorten it", FormatDuration(c.Lifetime), c.Preset.Label(), FormatDuration(c.MaxLifetime)), ErrBadValue)
		}
	}
	return nil
}

// resolveScope takes the scope, where it goes, client_id in the form and the subject.
func (c *Client) resolveScope(d *Definition) error {
	// Where scope goes is the preset's rule on every grant (RFC 7523 §2.1 sends it in the
	// form of the JWT grant too; Maskinporten's preset says claim), or the definition's.
	c.Scope = d.Scope
	c.ScopeIn = c.Preset.ScopeIn
	if d.ScopeIn != "" {
		in, err := oauth.ParseScopePlacement(d.ScopeIn)
		if err != nil {
			return d.fieldError("scope_in", err.Error(), ErrBadValue)
		}
		c.ScopeIn = in
	}
	c.SendClientID = c.Preset.SendClientID
	if d.SendClientID != nil {
		c.SendClientID = *d.SendClientID
	}
	if c.Preset.Subject == "client_id" {
		c.Subject = c.ClientID
	}
	return nil
}

// resolveHeaders takes the JOSE header choices, the key and certificate paths, and checks the key id rule.
func (c *Client) resolveHeaders(d *Definition) error {
	c.Typ = c.Preset.Headers.Typ
	if d.Headers.Typ != nil {
		c.Typ = *d.Headers.Typ
	}
	c.X5C, c.X5TS256, c.X5T = c.Preset.Headers.X5C, c.Preset.Headers.X5TS256, c.Preset.Headers.X5T
	if d.Headers.X5C != nil {
		c.X5C = *d.Headers.X5C
	}
	if d.Headers.X5TS256 != nil {
		c.X5TS256 = *d.Headers.X5TS256
	}
	if d.Headers.X5T != nil {
		c.X5T = *d.Headers.X5T
	}
	// x5c and x5t need a certificate, from `certificate:` or from a PKCS#12/JKS key; which key
	// is used is known only once it is loaded, so profile.Build checks that.
	c.KeyPath, c.CertPath = d.relPath(d.Key), d.relPath(d.Certificate)
	switch c.KeyIDRule {
	case KeyIDRequired:
		if c.Kid == "" {
			return d.fieldError("kid", fmt.Sprintf("missing; %s identifies the key by kid: add the kid you registered", c.Preset.Label()), ErrMissingField)
		}
	case KeyIDOrX5C:
		if c.Kid == "" && !c.X5C {
			return d.fieldError("kid", fmt.Sprintf("missing; %s needs a kid (registered key) or `headers: {x5c: true}` with a certificate", c.Preset.Label()), ErrMissingField)
		}
	}
	return nil
}

// resolveCodeFlow takes the OpenAPI document and, for authorization_code, its endpoint and redirect URI.
func (c *Client) resolveCodeFlow(d *Definition) error {
	c.OpenAPI = d.OpenAPI
	if c.OpenAPI != "" && !strings.HasPrefix(c.OpenAPI, "http://") && !strings.HasPrefix(c.OpenAPI, "https://") {
		c.OpenAPI = d.relPath(c.OpenAPI)
	}
	c.RedirectURI = d.RedirectURI
	c.AuthorizationEndpoint = d.AuthorizationEndpoint
	if c.GrantType == GrantAuthorizationCode {
		if c.AuthorizationEndpoint == "" {
			c.AuthorizationEndpoint = c.fromIssuer(c.Preset.AuthorizePath)
		}
		if c.AuthorizationEndpoint == "" {
			return d.fieldError("authorization_endpoint", "missing; authorization_code needs the provider's authorization endpoint (or issuer:, where the preset knows the path)", ErrMissingField)
		}
		if err := checkURL(c.AuthorizationEndpoint); err != nil {
			return d.fieldError("authorization_endpoint", err.Error(), ErrBadValue)
		}
		if c.RedirectURI == "" {
			return d.fieldError("redirect_uri", "missing; authorization_code needs the redirect URI registered for the client", ErrMissingField)
		}
		if err := checkURL(c.RedirectURI); err != nil {
			return d.fieldError("redirect_uri", err.Error(), ErrBadValue)
		}
	} else {
		if c.RedirectURI != "" {
			return d.fieldError("redirect_uri", "only applies to grant_type: authorization_code; remove it", ErrBadValue)
		}
		if c.AuthorizationEndpoint != "" {
			return d.fieldError("authorization_endpoint", "only applies to grant_type: authorization_code; remove it", ErrBadValue)
		}
	}
	return nil
}

// fromIssuer is the endpoint a preset derives from the issuer with path ("" when either is
// missing).
func (c *Client) fromIssuer(path string) string {
	if c.Issuer == "" || path == "" {
		return ""
	}
	return strings.TrimRight(c.Issuer, "/") + path
}

// resolvePAR decides whether the authorization request is pushed first (RFC 9126) and where.
func (c *Client) resolvePAR(d *Definition) error {
	code := c.GrantType == GrantAuthorizationCode
	if d.PAR != nil && *d.PAR && !code {
		return d.fieldError("par", fmt.Sprintf("a pushed authorization request starts the authorization code flow; it needs grant_type: authorization_code, not %s", c.GrantType), ErrBadValue)
	}
	par := d.wantsPAR(c.GrantType)
	if code && !par && c.Preset.RequirePAR {
		return d.fieldError("par", fmt.Sprintf("%s requires pushed authorization requests (RFC 9126); remove par: false", c.Preset.Label()), ErrBadValue)
	}
	if !par {
		if d.PAREndpoint != "" {
			return d.fieldError("par_endpoint", "only applies with par: true (grant_type: authorization_code); remove it", ErrBadValue)
		}
		return nil
	}
	c.PAREndpoint = d.PAREndpoint
	if c.PAREndpoint == "" {
		c.PAREndpoint = c.fromIssuer(c.Preset.PARPath)
	}
	if c.PAREndpoint == "" {
		return d.fieldError("par_endpoint", "missing; par: true needs the provider's pushed authorization request endpoint (add par_endpoint:, or issuer: so that postmint reads it from the server's metadata)", ErrMissingField)
	}
	if err := checkURL(c.PAREndpoint); err != nil {
		return d.fieldError("par_endpoint", err.Error(), ErrBadValue)
	}
	if w := plainHTTPWarning(c.PAREndpoint); w != "" {
		c.Warnings = append(c.Warnings, w)
	}
	return nil
}

// resolveDPoP decides whether tokens are DPoP-bound (RFC 9449) and which alg signs the proofs.
func (c *Client) resolveDPoP(d *Definition) error {
	on := c.Preset.DPoP
	if d.DPoP != nil {
		on = *d.DPoP
	}
	if !on {
		if c.Preset.RequireDPoP {
			return d.fieldError("dpop", fmt.Sprintf("%s requires DPoP-bound tokens (RFC 9449); remove dpop: false", c.Preset.Label()), ErrBadValue)
		}
		if d.DPoPAlg != "" {
			return d.fieldError("dpop_alg", "only applies with dpop: true; add dpop: true or remove dpop_alg", ErrBadValue)
		}
		return nil
	}
	c.DPoPAlg = firstNonEmpty(d.DPoPAlg, firstOf(c.Preset.DPoPAlgs), oauth.DefaultDPoPAlg)
	if !oauth.IsDPoPAlg(c.DPoPAlg) {
		return d.fieldError("dpop_alg", fmt.Sprintf("%q cannot sign DPoP proofs; use one of %s", c.DPoPAlg, strings.Join(oauth.DPoPAlgs, " ")), ErrBadValue)
	}
	if len(c.Preset.DPoPAlgs) > 0 && !slices.Contains(c.Preset.DPoPAlgs, c.DPoPAlg) {
		return d.fieldError("dpop_alg", fmt.Sprintf("%s is not among the DPoP algorithms %s documents (%s)", c.DPoPAlg, c.Preset.Label(), strings.Join(c.Preset.DPoPAlgs, " ")), ErrBadValue)
	}
	return nil
}

func firstOf(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
}

// resolveRequests takes the API requests.
func (c *Client) resolveRequests(d *Definition) error {
	for i, r := range d.Requests {
		field := fmt.Sprintf("requests[%d]", i)
		if strings.TrimSpace(r.Name) == "" {
			return d.fieldError(field+".name", "missing; every request needs a name", ErrMissingField)
		}
		if r.URL == "" {
			return d.fieldError(field+".url", "missing; add the API URL", ErrMissingField)
		}
		if r.Method == "" {
			r.Method = "GET"
		}
		r.Method = strings.ToUpper(r.Method)
		c.Requests = append(c.Requests, r)
	}
	return nil
}

// resolveExtras takes the definition's extra claims and form parameters. A parameter or claim
// is sent once (RFC 6749 §3.2): one that postmint sets itself, or that scope: or
// send_client_id already sends, is refused. claims.sub replaces the preset's subject.
func (c *Client) resolveExtras(d *Definition) error {
	for _, k := range oauth.OwnedClaims {
		if _, ok := d.Claims[k]; ok {
			return d.fieldError("claims."+k, fmt.Sprintf("%s is set by postmint from the definition; remove it (use audience: or lifetime: instead)", k), ErrBadValue)
		}
	}
	for _, k := range oauth.OwnedFormFields {
		if _, ok := d.Form[k]; ok {
			return d.fieldError("form."+k, fmt.Sprintf("%s is set by postmint; remove it", k), ErrBadValue)
		}
	}
	if _, ok := d.Form["scope"]; ok && len(c.Scope) > 0 {
		return d.fieldError("form.scope", "scope is sent once: keep scope: (postmint sends it where the preset says) and remove form.scope, or the other way round", ErrBadValue)
	}
	if _, ok := d.Claims["scope"]; ok && len(c.Scope) > 0 {
		return d.fieldError("claims.scope", "scope is sent once: keep scope: with scope_in: claim (or both) and remove claims.scope, or the other way round", ErrBadValue)
	}
	if _, ok := d.Form["client_id"]; ok && c.SendClientID {
		return d.fieldError("form.client_id", "client_id is sent once and send_client_id already sends it; remove form.client_id", ErrBadValue)
	}
	c.Form = d.Form
	c.Claims = nil
	for k, v := range d.Claims {
		if k == "sub" {
			s, ok := v.(string)
			if !ok || s == "" {
				return d.fieldError("claims.sub", "must be a non-empty string (the subject the assertion is about)", ErrBadValue)
			}
			c.Subject = s
			continue
		}
		if c.Claims == nil {
			c.Claims = map[string]any{}
		}
		c.Claims[k] = v
	}
	return nil
}

// Label names the preset in messages: "preset duende", or "postmint" for the generic rules.
func (p *Preset) Label() string {
	if p.Name == "" {
		return "postmint"
	}
	return "preset " + p.Name
}

func (d *Definition) relPath(p string) string { return ResolvePath(d.File, p) }

// ResolvePath resolves a path written in the definition file defFile (key:, certificate:,
// openapi:) against that file's folder. A path is written the way its author's system writes
// it, so a definition made on Windows works on a Linux CI runner and the other way round:
// where the separator is '/', '\' separates too (keys\client.pem is keys/client.pem), and a
// path with a drive letter (C:\keys\a.pem), a rooted path (\keys\a.pem, /keys/a.pem) or a
// \\?\ or UNC path (\\server\share\a.pem) is used as it is, never joined to the folder.
func ResolvePath(defFile, p string) string {
	if p == "" {
		return p
	}
	drive := len(p) >= 2 && p[1] == ':' && 'a' <= p[0]|0x20 && p[0]|0x20 <= 'z'
	if filepath.Separator == '/' && !drive && !strings.HasPrefix(p, `\\`) {
		p = strings.ReplaceAll(p, `\`, "/")
	}
	if defFile == "" || drive || filepath.IsAbs(p) || strings.HasPrefix(p, "/") || strings.HasPrefix(p, `\`) {
		return p
	}
	return filepath.Join(filepath.Dir(defFile), p)
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%q is not an absolute http(s) URL; write e.g. https://idp.example.com/connect/token", s)
	}
	return nil
}

// IsLoopbackHost reports whether host is localhost or a loopback address: traffic to it never
// leaves the machine.
func IsLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func plainHTTPWarning(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "http" {
		return ""
	}
	if IsLoopbackHost(u.Hostname()) {
		return ""
	}
	return fmt.Sprintf("%s uses plain http:// to a host that is not loopback: assertions and tokens would cross the network unencrypted", s)
}

// ApplyDiscovery fills the endpoints the definition leaves to the issuer's metadata (the token
// endpoint; the authorization endpoint for authorization_code) and returns one note per
// endpoint taken, for the command to show: postmint never discovers silently.
func (d *Definition) ApplyDiscovery(meta *discovery.Metadata) []string {
	var notes []string
	if d.TokenURL == "" && meta.TokenEndpoint != "" {
		d.TokenURL = meta.TokenEndpoint
		notes = append(notes, fmt.Sprintf("discovered token_url %s (from %s)", meta.TokenEndpoint, meta.URL))
	}
	grant := d.GrantType
	if grant == "" {
		if p, err := d.preset(); err == nil {
			grant = p.GrantType
		}
	}
	if d.AuthorizationEndpoint == "" && meta.AuthorizationEndpoint != "" && grant == GrantAuthorizationCode {
		d.AuthorizationEndpoint = meta.AuthorizationEndpoint
		notes = append(notes, fmt.Sprintf("discovered authorization_endpoint %s (from %s)", meta.AuthorizationEndpoint, meta.URL))
	}
	if d.PAREndpoint == "" && meta.PAREndpoint != "" && d.wantsPAR(grant) {
		d.PAREndpoint = meta.PAREndpoint
		notes = append(notes, fmt.Sprintf("discovered par_endpoint %s (from %s)", meta.PAREndpoint, meta.URL))
	}
	return notes
}

// CheckPAR is the error for a definition that pushes its authorization requests to a server
// whose metadata names no PAR endpoint: Resolve would only say par_endpoint is missing, the
// metadata says why. nil when the definition has its endpoint or does not push.
func (d *Definition) CheckPAR(meta *discovery.Metadata) error {
	if !d.WantsPAR() || d.PAREndpoint != "" {
		return nil
	}
	if f := discovery.Check(meta, discovery.Expectation{PAR: true}); len(f) > 0 {
		return fmt.Errorf("%s: par: %s (metadata %s)", d.File, f[0].Msg, meta.URL)
	}
	return nil
}

// GrantHint is what to do when err says a field is missing only because the preset's default
// grant is the authorization code flow (signicat) and the definition chose no grant: most often
// the user wanted machine-to-machine access. "" otherwise.
func (d *Definition) GrantHint(err error) string {
	var fe *FieldError
	if err == nil || d.GrantType != "" || !errors.As(err, &fe) || fe.Field != "authorization_endpoint" {
		return ""
	}
	p, ok := LookupPreset(d.Preset)
	if !ok || p.GrantType != GrantAuthorizationCode {
		return ""
	}
	return fmt.Sprintf("preset %s defaults to grant_type: authorization_code (a user logs in); for machine-to-machine access add grant_type: client_credentials to the definition", p.Name)
}

// WantsPAR reports whether the definition (or its preset) pushes its authorization requests.
func (d *Definition) WantsPAR() bool {
	grant := d.GrantType
	if grant == "" {
		if p, err := d.preset(); err == nil {
			grant = p.GrantType
		}
	}
	return d.wantsPAR(grant)
}

// wantsPAR reports whether the definition (or its preset) pushes authorization requests.
func (d *Definition) wantsPAR(grant string) bool {
	if grant != GrantAuthorizationCode {
		return false
	}
	if d.PAR != nil {
		return *d.PAR
	}
	p, err := d.preset()
	return err == nil && p.PAR
}

// WantsDPoP reports whether the definition (or its preset) asks for DPoP-bound tokens.
func (d *Definition) WantsDPoP() bool {
	if d.DPoP != nil {
		return *d.DPoP
	}
	p, err := d.preset()
	return err == nil && p.DPoP
}

// NeedsDiscovery reports whether the definition names an issuer but leaves an endpoint that
// neither it nor its preset provides: the server's metadata must fill it in.
func (d *Definition) NeedsDiscovery() bool {
	if d.Issuer == "" {
		return false
	}
	p := &genericPreset
	if d.Preset != "" {
		if pp, ok := allPresets()[d.Preset]; ok {
			p = pp
		}
	}
	if d.TokenURL == "" && p.TokenURL == "" && p.TokenPath == "" {
		return true
	}
	grant := firstNonEmpty(d.GrantType, p.GrantType)
	if d.wantsPAR(grant) && d.PAREndpoint == "" && p.PARPath == "" {
		return true
	}
	return grant == GrantAuthorizationCode && d.AuthorizationEndpoint == "" && p.AuthorizePath == ""
}

// Expectation is what the client needs from the server's metadata when it signs with alg ("":
// not known yet): the endpoints, the grant, private_key_jwt with alg (not for the JWT grant,
// whose assertion is no client authentication), DPoP and PAR.
func (c *Client) Expectation(alg string) discovery.Expectation {
	e := discovery.Expectation{Issuer: c.Issuer, TokenURL: c.TokenURL, Alg: alg, GrantType: c.GrantWire(), AuthMethod: "private_key_jwt",
		DPoPAlg: c.DPoPAlg, PAR: c.PAREndpoint != ""}
	if c.GrantType == GrantJWTBearer {
		e.AuthMethod, e.Alg = "", ""
	}
	return e
}
