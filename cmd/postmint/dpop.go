package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/postmint/postmint/generator/dpop"
	"github.com/postmint/postmint/generator/oauth"
	"github.com/postmint/postmint/generator/postman"
	"github.com/postmint/postmint/internal/safefile"
)

func dpopCommand() *cli.Command {
	return &cli.Command{
		Name:      "dpop",
		Usage:     "print a DPoP proof (RFC 9449) for one request, bound to the environment's token",
		UsageText: "postmint dpop (-e ENV | -c CLIENT [--dpop-key FILE]) --method METHOD --url URL [--nonce NONCE] [--token TOKEN]",
		Description: `Signs a proof with the environment's dpopKey for that method and URL (htu without query
and fragment), with ath for the environment's bearerToken and the nonce the server last gave
(dpopNonce for the token endpoint, dpopApiNonces for an API origin).

Examples:
   postmint refresh -e env.json
   T=$(jq -r '.values[]|select(.key=="bearerToken").value' env.json)
   curl -H "Authorization: DPoP $T" -H "DPoP: $(postmint dpop -e env.json --method GET --url https://api.example.com/orders)" https://api.example.com/orders`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "environment", Aliases: []string{"e"}, Usage: "Postman environment `FILE` with dpopKey (postmint generate or refresh wrote it)"},
			&cli.StringFlag{Name: "client", Aliases: []string{"c"}, Usage: "client definition `FILE` (its dpop_alg), with --dpop-key"},
			&cli.StringFlag{Name: "dpop-key", Usage: "the DPoP key: a private JWK `FILE` (default: the environment's dpopKey)"},
			&cli.StringFlag{Name: "method", Usage: "HTTP `METHOD` of the request (htm)"},
			&cli.StringFlag{Name: "url", Usage: "`URL` of the request (htu)"},
			&cli.StringFlag{Name: "nonce", Usage: "server `NONCE` (default: the one the environment holds for that server)"},
			&cli.StringFlag{Name: "token", Usage: "access `TOKEN` for ath (default: the environment's bearerToken; \"\" with -c: none)"},
		},
		Action: dpopAction,
	}
}

func dpopAction(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("dpop takes no arguments (got %q)", c.Args().First())
	}
	ef, cf := c.String("environment"), c.String("client")
	switch {
	case ef == "" && cf == "":
		return usagef("dpop needs -e ENV (or -c CLIENT)")
	case ef != "" && cf != "":
		return usagef("give -e ENV or -c CLIENT, not both")
	case c.String("method") == "" || c.String("url") == "":
		return usagef("dpop needs --method METHOD and --url URL")
	}
	req := dpop.Request{Method: c.String("method"), URL: c.String("url"), Nonce: c.String("nonce"), AccessToken: c.String("token")}
	var alg, keyText string
	if cf != "" {
		client, _, err := loadDefinition(c, cf)
		if err != nil {
			return err
		}
		alg = client.DPoPAlg
		if alg == "" {
			alg = oauth.DefaultDPoPAlg
			fmt.Fprintf(c.App.ErrWriter, "postmint: note: %s does not set dpop: true; the proof uses %s\n", cf, alg)
		}
	} else {
		env, _, err := readEnvironment(ef)
		if err != nil {
			return err
		}
		p, err := env.Profile()
		if err != nil {
			return fmt.Errorf("environment %s: %w", ef, err)
		}
		if !p.DPoP() {
			return withHint(fmt.Errorf("environment %s: dpopAlg: the client does not use DPoP", ef), "add dpop: true to the definition and run postmint generate")
		}
		alg, keyText = p.DPoPAlg, env.Lookup(postman.VarDPoPKey)
		if !c.IsSet("token") {
			req.AccessToken = env.Lookup(postman.VarBearerToken)
		}
		if !c.IsSet("nonce") {
			req.Nonce = nonceFor(env, p.TokenURL, req.URL)
		}
		if strings.TrimSpace(keyText) == "" && c.String("dpop-key") == "" {
			return withHint(fmt.Errorf("environment %s: dpopKey is empty", ef), "run postmint refresh -e "+ef+" (it makes a DPoP key and a token bound to it)")
		}
	}
	if f := c.String("dpop-key"); f != "" {
		data, err := safefile.Read("DPoP key", f, safefile.MaxEnv)
		if err != nil {
			return err
		}
		keyText = string(data)
	}
	var k *dpop.Key
	var err error
	if cf != "" && keyText == "" {
		// A definition holds no DPoP key: the proof is signed with a new one, which is not kept.
		if k, err = dpop.NewKey(alg); err != nil {
			return err
		}
		fmt.Fprintln(c.App.ErrWriter, "postmint: note: signed with a new DPoP key that is not kept; give --dpop-key FILE (a private JWK) to sign with yours, or use -e ENV")
	} else if k, err = dpop.ParseKey(keyText, alg); err != nil {
		return err
	}
	proof, err := k.Proof(req)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(c.App.Writer, proof)
	return err
}

// nonceFor is the nonce the environment holds for the server of target: dpopNonce for the
// token endpoint, else dpopApiNonces' entry for target's origin (as the collection script
// keeps them).
func nonceFor(env *postman.Environment, tokenURL, target string) string {
	a, errA := dpop.HTU(target)
	b, errB := dpop.HTU(tokenURL)
	if errA == nil && errB == nil && a == b {
		return env.Lookup(postman.VarDPoPNonce)
	}
	o := origin(target)
	var nonces map[string]string
	_ = json.Unmarshal([]byte(env.Lookup(postman.VarDPoPAPINonces)), &nonces)
	return nonces[o]
}

// origin is scheme://host[:port] of a URL, lowercase (RFC 6454), "" when it has none.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}
