package main

import (
	"fmt"
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
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	if c.NArg() == 0 {
		fmt.Fprintln(tw, strings.Join(config.PresetColumns, "\t"))
		for _, n := range config.PresetNames() {
			p, _ := config.LookupPreset(n)
			fmt.Fprintln(tw, strings.Join(p.Summary(), "\t"))
		}
		return tw.Flush()
	}
	p, err := config.FindPreset(c.Args().First())
	if err != nil {
		return err
	}
	rows, after := p.Describe()
	for _, r := range rows {
		fmt.Fprintf(tw, "%s:\t%s\n", r[0], r[1])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, line := range after {
		fmt.Fprintln(out, line)
	}
	return nil
}
