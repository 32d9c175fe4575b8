package verify

import (
	"fmt"
	"strings"
	"time"
)

// Summary says which key signed a valid token, without any secret: "signed with RS256 by RSA
// 2048, kid "a", thumbprint 5Jq… from jwks.json".
func (r *Result) Summary() string {
	k := r.Key
	s := "signed with " + r.Alg + " by " + k.Describe()
	if kid, ok := r.Header["kid"].(string); ok && k.KID == "" {
		s += fmt.Sprintf(" (the header's kid is %q)", kid)
	}
	return s + " from " + k.Source
}

// ClaimSummary is the claims a reader checks first (iss, sub, aud, jti) and how long the token
// has left at now, with its lifetime: `iss "a", sub "a", expires in 59s (lifetime 1m0s)`.
func ClaimSummary(claims map[string]any, now time.Time) string {
	var parts []string
	for _, name := range []string{"iss", "sub", "aud", "jti"} {
		if v, ok := claims[name]; ok {
			parts = append(parts, fmt.Sprintf("%s %v", name, quoteClaim(v)))
		}
	}
	if exp, ok := unixClaim(claims["exp"]); ok {
		s := "expires in " + exp.Sub(now).Round(time.Second).String()
		if iat, ok := unixClaim(claims["iat"]); ok {
			s += " (lifetime " + exp.Sub(iat).Round(time.Second).String() + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func quoteClaim(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(v)
}

func unixClaim(v any) (time.Time, bool) {
	n, ok := v.(interface{ Float64() (float64, error) })
	if !ok {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0), true
}
