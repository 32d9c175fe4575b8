package main

import (
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/doctor"
	"github.com/postmint/postmint/internal/clihelp"
)

func doctorCommand() *cli.Command {
	return &cli.Command{
		Name:      "doctor",
		Before:    clihelp.NoArgs(""),
		Usage:     "check everything a client can get wrong, one line each: pass, warn, fail or skip (not checked, and why)",
		UsageText: "postmint doctor -c CLIENT [-k KEY] [--offline] [--timeout DURATION] [--ca-file FILE]",
		Description: `Checks the definition, the key and certificate, the algorithm, the audience rule against the
server's metadata, the clock against the server's Date header, TLS to the token endpoint, and
(unless --offline) makes a real token request, explaining a failure. Exit 0 only when no
check fails.

Examples:
   postmint doctor -c client.yaml -k client.key.pem
   postmint doctor -c client.yaml --offline`,
		Flags: append(append([]cli.Flag{
			&cli.StringFlag{Name: "client", Aliases: []string{"c"}, Usage: "client definition `FILE`"},
			&cli.BoolFlag{Name: "offline", Usage: "no network: skip metadata, clock, TLS and the token request"},
		}, keyFlags()...),
			&cli.DurationFlag{Name: "timeout", Value: 30 * time.Second, Usage: "per-request `DURATION`"},
			&cli.StringFlag{Name: "ca-file", Usage: "extra trusted CA certificates (PEM `FILE`); TLS verification is always on"},
		),
		Action: doctorAction,
	}
}

func doctorAction(c *cli.Context) error {
	if c.String("client") == "" {
		return usagef("doctor needs -c CLIENT (a client definition file)")
	}
	in := doctor.Input{
		DefinitionFile: c.String("client"),
		NoKeyHint:      "pass -k KEY, set " + envPrivateKey + " or add key: to the definition",
		Offline:        c.Bool("offline"),
		Timeout:        c.Duration("timeout"),
		CAFile:         c.String("ca-file"),
		UserAgent:      userAgent(),
		Now:            timeNow,
	}
	in.Client, in.DefinitionErr = doctor.Load(in.DefinitionFile, in.Offline, func(path string) (*config.Client, error) {
		client, _, err := loadDefinition(c, path)
		return client, err
	})
	if in.DefinitionErr == nil {
		in.Material, in.KeyErr = material(c, in.Client)
	}
	checks := doctor.Run(c.Context, in)
	for _, ch := range checks {
		fmt.Fprintf(c.App.Writer, "%-4s  %-11s %s\n", ch.Status, ch.Topic, ch.Detail)
		for _, n := range ch.Notes {
			fmt.Fprintf(c.App.Writer, "      %-11s - %s\n", "", n)
		}
	}
	if n := doctor.Failed(checks); n > 0 {
		return fmt.Errorf("doctor: %d check(s) failed", n)
	}
	return nil
}
