package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/postmint/postmint/generator/assertion"
	"github.com/postmint/postmint/internal/clihelp"
)

func mintCommand() *cli.Command {
	return &cli.Command{
		Name:      "mint",
		Before:    clihelp.NoArgs(""),
		Usage:     "print one freshly signed client assertion",
		UsageText: "postmint mint (-c CLIENT | -e ENV) [-k KEY] [--decode]",
		Description: `Signs an assertion with exactly the header and claims the collection's script would produce
and prints it (compact JWS) and a newline. --decode prints its header and claims as JSON instead.

Examples:
   postmint mint -c client.yaml -k client.key.pem
   POSTMINT_PRIVATE_KEY="$KEY" postmint mint -e acme.postman_environment.json --decode`,
		Flags:  append(sourceFlags(), &cli.BoolFlag{Name: "decode", Usage: "print the header and claims as JSON instead of the token"}),
		Action: mintAction,
	}
}

func mintAction(c *cli.Context) error {
	s, err := loadSigning(c, false)
	if err != nil {
		return err
	}
	tok, err := s.Session.Mint()
	if err != nil {
		return err
	}
	if !c.Bool("decode") {
		_, err = fmt.Fprintln(c.App.Writer, tok)
		return err
	}
	out, err := assertion.DecodeJSON(tok)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(c.App.Writer, string(out))
	return err
}
