package main

import (
	"fmt"

	"icbot/adapters/slack"
	"icbot/bot"
)

// runManifest prints a platform's app manifest drawn from the command
// table: `icbot manifest slack > deploy/slack/manifest.yaml`.
func runManifest(args []string, env Env) int {
	if len(args) != 1 || args[0] != "slack" {
		fmt.Fprintln(env.Stderr, "usage: icbot manifest slack   (prints the Slack app manifest; Discord's commands are registered by icbot itself at start)")
		return exitUsage
	}
	if err := slack.WriteManifest(env.Stdout, bot.Commands()); err != nil {
		fmt.Fprintf(env.Stderr, "icbot: manifest: %v\n", err)
		return exitError
	}
	return exitOK
}
