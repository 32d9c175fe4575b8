// Package verify checks a JWT client assertion the way a token endpoint would: its signature
// against a JWKS, a public key or a certificate, its times, and (given the client definition's
// Rules) its issuer, subject, audience, lifetime, algorithm and headers. It reports every
// problem it finds in plain words instead of stopping at the first, so that a portal team can
// tell a partner everything that is wrong with an assertion at once.
//
// The package is pure: it prints nothing, and its messages never contain the token.
package verify

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/generator/oauth"
)

// Problem kinds: the first words of each line verify prints.
const (
	Malformed          = "malformed"
	WrongAlg           = "wrong alg"
	UnknownKid         = "unknown kid"
	SignatureInvalid   = "signature invalid"
	Expired            = "expired"
	NotYetValid        = "not yet valid"
	IssuedInFuture     = "issued in the future"
	LifetimeTooLong    = "lifetime too long"
	AudienceMismatch   = "audience mismatch"
	IssuerMismatch     = "issuer mismatch"
	SubjectMismatch    = "subject mismatch"
	WrongTyp           = "wrong typ"
	WrongKid           = "wrong kid"
	CertificateProblem = "certificate mismatch"
	UnsupportedCrit    = "unsupported crit"
)

// Missing returns the kind of a problem about an absent claim or header: "missing jti".
func Missing(name string) string { return "missing " + name }

// Problem is one thing wrong with a token.
type Problem struct {
	Kind   string // one of the kinds above, or Missing(name)
	Detail string // what exactly, with the expected value where there is one
}

// String is the problem as one line: "expired: exp 2025-01-02T03:04:05Z, 35s ago".
func (p Problem) String() string { return p.Kind + ": " + p.Detail }

// Options are what Check verifies against.
type Options struct {
	// Keys are the candidate keys; the header's kid selects among those that have one.
	// With no keys the signature is not checked (and that is a problem).
	Keys []PublicKey
	// Rules are the client definition's; nil checks only the signature and the times.
	Rules *Rules
	// Now is the time to check exp, nbf and iat against; zero means time.Now().
	Now time.Time
	// Leeway is the clock skew tolerated on exp, nbf and iat.
	Leeway time.Duration
}

// Result is what Check found.
type Result struct {
	Header   map[string]any // decoded, nil when the token is malformed
	Claims   map[string]any
	Alg      string
	Key      *PublicKey // the key whose signature matched; nil when none did
	Problems []Problem
}

// Valid reports whether Check found no problem.
func (r *Result) Valid() bool { return len(r.Problems) == 0 }

func (r *Result) add(kind, format string, a ...any) {
	r.Problems = append(r.Problems, Problem{Kind: kind, Detail: fmt.Sprintf(format, a...)})
}

// Check verifies a compact JWS and reports every problem it finds. It does not stop at a bad
// signature: the claims of a token whose signature fails are still checked, since the reason
// a token endpoint refused it may well be among them.
func Check(token string, opt Options) *Result {
	r := &Result{}
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	token = strings.TrimSpace(token)
	if len(token) > 7 && strings.EqualFold(token[:7], "bearer ") {
		token = strings.TrimSpace(token[7:])
	}
	parts := strings.Split(token, ".")
	switch {
	case token == "":
		r.add(Malformed, "the token is empty")
		return r
	case len(parts) == 5:
		r.add(Malformed, "this is an encrypted JWT (JWE, five parts); verify checks signed JWTs (JWS, three parts)")
		return r
	case len(parts) != 3:
		r.add(Malformed, "a signed JWT has three base64url parts separated by dots; this one has %d", len(parts))
		return r
	}
	var err error
	if r.Header, err = decodePart(parts[0]); err != nil {
		r.add(Malformed, "the header (part 1) %v", err)
		return r
	}
	if r.Claims, err = decodePart(parts[1]); err != nil {
		r.add(Malformed, "the claims (part 2) %v", err)
		return r
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		r.add(Malformed, "the signature (part 3) is not base64url without padding")
		return r
	}
	r.Alg, _ = r.Header["alg"].(string)
	checkHeader(r)
	if ok := checkAlg(r, opt.Rules); ok {
		checkSignature(r, parts[0]+"."+parts[1], sig, opt.Keys)
	}
	checkTimes(r, opt.Rules, now, opt.Leeway)
	if opt.Rules != nil {
		checkClaims(r, opt.Rules)
		checkKeyHeaders(r, opt.Rules)
	} else {
		checkCertificateHeaders(r, nil)
	}
	return r
}

// decodePart decodes one base64url JSON object of a compact JWS, keeping numbers exact.
func decodePart(s string) (map[string]any, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("is not base64url without padding")
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil || m == nil {
		return nil, fmt.Errorf("is not a JSON object")
	}
	if d.More() {
		return nil, fmt.Errorf("has data after its JSON object")
	}
	return m, nil
}

func checkHeader(r *Result) {
	if crit, ok := r.Header["crit"]; ok {
		r.add(UnsupportedCrit, "the header lists %v as critical extensions; token endpoints reject what they do not understand", crit)
	}
}

// checkAlg reports an alg no client may use, and one the rules do not allow. It returns whether
// the signature can be checked at all.
func checkAlg(r *Result, rules *Rules) bool {
	alg := r.Alg
	switch {
	case alg == "":
		r.add(WrongAlg, "the header has no alg")
		return false
	case strings.EqualFold(alg, "none"):
		r.add(WrongAlg, "alg %q means the token is not signed at all; token endpoints refuse it", alg)
		return false
	case strings.HasPrefix(alg, "HS"):
		r.add(WrongAlg, "%s is a shared-secret MAC (client_secret_jwt), not a private key signature", alg)
		return false
	case !oauth.IsAlg(alg):
		r.add(WrongAlg, "%q is not a JWS signature algorithm postmint knows (%s)", alg, strings.Join(oauth.Algs, ", "))
		return false
	}
	if rules != nil {
		if rules.Alg != "" && alg != rules.Alg {
			r.add(WrongAlg, "the token is signed with %s, the definition's alg is %s", alg, rules.Alg)
		} else if rules.Alg == "" && len(rules.Algs) > 0 && !slices.Contains(rules.Algs, alg) {
			r.add(WrongAlg, "%s is not among the algorithms %s accepts (%s)", alg, rules.Source, strings.Join(rules.Algs, ", "))
		}
	}
	return true
}

func checkSignature(r *Result, signingInput string, sig []byte, candidates []PublicKey) {
	if len(candidates) == 0 {
		r.add(SignatureInvalid, "not checked: no key to check it with")
		return
	}
	kid, _ := r.Header["kid"].(string)
	keys := candidates
	if kid != "" {
		keys = nil
		for _, k := range candidates {
			if k.KID == kid {
				keys = append(keys, k)
			}
		}
		if len(keys) == 0 {
			// Keys without a kid (a PEM file, a certificate) are not chosen by kid.
			for _, k := range candidates {
				if k.KID == "" {
					keys = append(keys, k)
				}
			}
		}
		if len(keys) == 0 {
			r.add(UnknownKid, "kid %q is not in %s (it has %s); register the key or fix the kid", kid, candidates[0].Source, kidList(candidates))
			return
		}
	}
	var fit []PublicKey
	var misfit []string
	for _, k := range keys {
		if why := fits(r.Alg, k); why != "" {
			misfit = append(misfit, why)
			continue
		}
		fit = append(fit, k)
	}
	if len(fit) == 0 {
		r.add(WrongAlg, "%s", strings.Join(misfit, "; "))
		return
	}
	method := jwt.GetSigningMethod(r.Alg)
	for i := range fit {
		if method.Verify(signingInput, sig, fit[i].Key) == nil {
			r.Key = &fit[i]
			return
		}
	}
	if len(fit) == 1 {
		r.add(SignatureInvalid, "the token was not signed by the private key of %s (%s)", fit[0].Source, fit[0].Describe())
		return
	}
	r.add(SignatureInvalid, "the token was not signed by any of the %d %s keys in %s%s", len(fit), r.Alg, fit[0].Source, noKidNote(kid))
}

func noKidNote(kid string) string {
	if kid == "" {
		return " (the header has no kid)"
	}
	return ""
}

func kidList(ks []PublicKey) string {
	var ids []string
	for _, k := range ks {
		if k.KID != "" {
			ids = append(ids, fmt.Sprintf("%q", k.KID))
		}
	}
	if len(ids) == 0 {
		return "no kids"
	}
	return strings.Join(ids, ", ")
}

// fits returns why alg cannot be verified with k (RFC 7518 §3.1), or "".
func fits(alg string, k PublicKey) string {
	name := k.Describe()
	if k.Alg != "" && k.Alg != alg {
		return fmt.Sprintf("the token is signed with %s, but the key (%s) is registered for %s", alg, name, k.Alg)
	}
	var want string
	switch pub := k.Key.(type) {
	case *rsa.PublicKey:
		if strings.HasPrefix(alg, "RS") || strings.HasPrefix(alg, "PS") {
			return ""
		}
		want = "RS256/PS256 (or the 384 and 512 variants)"
	case *ecdsa.PublicKey:
		curveAlg := map[elliptic.Curve]string{elliptic.P256(): "ES256", elliptic.P384(): "ES384", elliptic.P521(): "ES512"}[pub.Curve]
		if alg == curveAlg {
			return ""
		}
		want = curveAlg
	case ed25519.PublicKey:
		if alg == "EdDSA" {
			return ""
		}
		want = "EdDSA"
	}
	return fmt.Sprintf("the token is signed with %s, but the key (%s) signs with %s", alg, name, want)
}

// numeric reads a NumericDate claim (RFC 7519 §2).
func numeric(claims map[string]any, name string) (time.Time, bool, error) {
	v, ok := claims[name]
	if !ok {
		return time.Time{}, false, nil
	}
	n, isNum := v.(json.Number)
	if !isNum {
		return time.Time{}, true, fmt.Errorf("%s is not a number of seconds (it is %s)", name, kindOf(v))
	}
	f, err := n.Float64()
	if err != nil || math.IsInf(f, 0) || f < 0 || f > 1e11 {
		return time.Time{}, true, fmt.Errorf("%s is not a plausible time (%s)", name, n)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true, nil
}

func kindOf(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func checkTimes(r *Result, rules *Rules, now time.Time, leeway time.Duration) {
	exp, hasExp, expErr := numeric(r.Claims, "exp")
	iat, hasIat, iatErr := numeric(r.Claims, "iat")
	nbf, hasNbf, nbfErr := numeric(r.Claims, "nbf")
	for _, err := range []error{expErr, iatErr, nbfErr} {
		if err != nil {
			r.add(Malformed, "%v", err)
		}
	}
	switch {
	case !hasExp:
		r.add(Missing("exp"), "an assertion must say when it expires (RFC 7523 section 3)")
	case expErr == nil && !now.Before(exp.Add(leeway)):
		r.add(Expired, "exp %s was %s ago", stamp(exp), ago(now.Sub(exp)))
	}
	if hasNbf && nbfErr == nil && nbf.After(now.Add(leeway)) {
		r.add(NotYetValid, "nbf %s is %s from now (check the signer's clock)", stamp(nbf), ago(nbf.Sub(now)))
	}
	if hasIat && iatErr == nil && iat.After(now.Add(leeway)) {
		r.add(IssuedInFuture, "iat %s is %s from now (check the signer's clock)", stamp(iat), ago(iat.Sub(now)))
	}
	if rules == nil {
		return
	}
	if !hasIat {
		r.add(Missing("iat"), "the token endpoint needs iat to check the lifetime")
	}
	if rules.MaxLifetime <= 0 || !hasExp || expErr != nil || iatErr != nil {
		return
	}
	if hasIat {
		if life := exp.Sub(iat); life > rules.MaxLifetime {
			r.add(LifetimeTooLong, "exp - iat is %s; %s allows at most %s", ago(life), rules.Source, ago(rules.MaxLifetime))
		}
	} else if left := exp.Sub(now); left > rules.MaxLifetime {
		r.add(LifetimeTooLong, "exp is %s from now; %s allows at most %s", ago(left), rules.Source, ago(rules.MaxLifetime))
	}
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// ago prints a duration in whole seconds, "35s", "2m0s", or in days when over two.
func ago(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d > 48*time.Hour {
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	}
	return d.Round(time.Second).String()
}

func checkClaims(r *Result, rules *Rules) {
	stringClaim := func(name, want, kind, what string) {
		v, ok := r.Claims[name]
		s, isString := v.(string)
		switch {
		case !ok:
			r.add(Missing(name), "expected %q (%s)", want, what)
		case !isString:
			r.add(kind, "%s is %s, expected %q (%s)", name, kindOf(v), want, what)
		case s != want:
			r.add(kind, "%s is %q, expected %q (%s)", name, s, want, what)
		}
	}
	if rules.Issuer != "" {
		stringClaim("iss", rules.Issuer, IssuerMismatch, "the client id")
	}
	if rules.Subject != "" {
		stringClaim("sub", rules.Subject, SubjectMismatch, "the client id")
	}
	if rules.Audience != "" {
		checkAudience(r, rules)
	}
	if jti, ok := r.Claims["jti"]; !ok {
		r.add(Missing("jti"), "the token endpoint needs a unique jti to refuse replayed assertions")
	} else if s, _ := jti.(string); s == "" {
		r.add(Malformed, "jti is %s; it should be a unique non-empty string", kindOf(jti))
	}
}

func checkAudience(r *Result, rules *Rules) {
	want, rule := rules.Audience, rules.AudienceRule
	v, ok := r.Claims["aud"]
	if !ok {
		r.add(Missing("aud"), "expected %q (%s, %s)", want, rule, rules.Source)
		return
	}
	var got []string
	switch a := v.(type) {
	case string:
		got = []string{a}
	case []any:
		for _, e := range a {
			if s, ok := e.(string); ok {
				got = append(got, s)
			}
		}
	}
	if slices.Contains(got, want) {
		return
	}
	shown, _ := json.Marshal(v)
	r.add(AudienceMismatch, "aud is %s, expected %q (%s, %s)", shown, want, rule, rules.Source)
}

func checkKeyHeaders(r *Result, rules *Rules) {
	if rules.Typ != "" {
		typ, ok := r.Header["typ"].(string)
		switch {
		case !ok:
			r.add(Missing("typ"), "%s expects the header typ %q", rules.Source, rules.Typ)
		case !strings.EqualFold(strings.TrimPrefix(typ, "application/"), rules.Typ):
			r.add(WrongTyp, "typ is %q, %s expects %q", typ, rules.Source, rules.Typ)
		}
	}
	kid, hasKid := r.Header["kid"].(string)
	_, hasX5C := r.Header["x5c"]
	switch {
	case rules.Kid != "" && !hasKid:
		r.add(Missing("kid"), "the definition's kid is %q", rules.Kid)
	case rules.Kid != "" && kid != rules.Kid:
		r.add(WrongKid, "kid is %q, the definition's kid is %q", kid, rules.Kid)
	case rules.KeyIDRule == config.KeyIDRequired && !hasKid:
		r.add(Missing("kid"), "%s identifies the key by the kid header", rules.Source)
	case rules.KeyIDRule == config.KeyIDOrX5C && !hasKid && !hasX5C:
		r.add(Missing("kid"), "%s needs a kid header (a registered key) or an x5c header (a certificate)", rules.Source)
	}
	for _, h := range []struct {
		name string
		want bool
	}{{"x5c", rules.X5C}, {"x5t#S256", rules.X5TS256}, {"x5t", rules.X5T}} {
		if _, ok := r.Header[h.name]; h.want && !ok {
			r.add(Missing(h.name), "the definition asks for an %s header (the client certificate)", h.name)
		}
	}
	checkCertificateHeaders(r, rules.Certificates)
}

// checkCertificateHeaders checks that x5c, x5t#S256 and x5t describe the certificate of the key
// that signed (RFC 7515 §4.1.6-8), and the client's certificate when it is known.
func checkCertificateHeaders(r *Result, known []*x509.Certificate) {
	var leaf *x509.Certificate
	if len(known) > 0 {
		leaf = known[0]
	}
	if raw, ok := r.Header["x5c"]; ok {
		chain, err := parseX5C(raw)
		switch {
		case err != nil:
			r.add(Malformed, "x5c %v", err)
		case r.Key != nil && keys.MatchCertificate(r.Key.Key, chain[0]) != nil:
			r.add(CertificateProblem, "the x5c certificate %q is for another key than the one that signed the token", chain[0].Subject.String())
		case leaf != nil && !chain[0].Equal(leaf):
			r.add(CertificateProblem, "the x5c certificate %q is not the client's certificate %q", chain[0].Subject.String(), leaf.Subject.String())
		}
		if err == nil && leaf == nil {
			leaf = chain[0]
		}
	}
	if leaf == nil && r.Key != nil && len(r.Key.Certificates) > 0 {
		leaf = r.Key.Certificates[0]
	}
	for _, h := range []struct {
		name string
		want func(*x509.Certificate) string
	}{{"x5t#S256", keys.X5TS256}, {"x5t", keys.X5T}} {
		got, ok := r.Header[h.name]
		if !ok {
			continue
		}
		s, _ := got.(string)
		switch {
		case s == "":
			r.add(Malformed, "%s should be a base64url string", h.name)
		case leaf != nil && s != h.want(leaf):
			r.add(CertificateProblem, "%s is %q, but the certificate %q has %q", h.name, s, leaf.Subject.String(), h.want(leaf))
		}
	}
}

func parseX5C(v any) ([]*x509.Certificate, error) {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return nil, fmt.Errorf("should be a non-empty list of base64 certificates")
	}
	var chain []*x509.Certificate
	for i, e := range list {
		s, _ := e.(string)
		der, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("entry %d is not standard base64 (x5c is not base64url)", i+1)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("entry %d is not a certificate", i+1)
		}
		chain = append(chain, c)
	}
	return chain, nil
}
