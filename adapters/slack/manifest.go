package slack

import (
	"io"
	"strconv"
	"strings"
	"text/template"

	"icbot/bot"
)

// WriteManifest writes the Slack app manifest for icbot's commands: one
// slash command per top-level command of the catalogue, with its summary
// and a usage hint drawn from its commands' usage lines. The rest of the
// manifest (scopes, events, interactivity) is what this adapter needs.
func WriteManifest(w io.Writer, groups []bot.GroupInfo) error {
	return manifestTemplate.Execute(w, groups)
}

// yamlText writes s as a YAML scalar: as it is when YAML reads it back
// unchanged, else double-quoted.
func yamlText(s string) string {
	plain := s != "" && !strings.ContainsAny(s[:1], "!&*[]{}|>'\"%@`#,?:-") &&
		!strings.Contains(s, ": ") && !strings.Contains(s, " #") && !strings.ContainsAny(s, "\n\t\"") &&
		strings.TrimSpace(s) == s
	if plain {
		return s
	}
	return strconv.Quote(s)
}

// maxHint is how long a usage hint may be before it lists only the
// sub-commands: Slack shows it on one line as the command is typed.
const maxHint = 90

// usageHint is a group's commands' usage, "ID [reason] | lift ID", or when
// that is too long its sub-commands, "add | list | show  (/scene help)".
func usageHint(g bot.GroupInfo) string {
	var full, words []string
	for _, c := range g.Commands {
		u := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(c.Usage, "/"+g.Name), " "))
		full = append(full, u)
		if sub := strings.TrimPrefix(c.Path, g.Name+" "); sub != c.Path {
			words = append(words, sub)
		}
	}
	if h := strings.Join(full, " | "); len(h) <= maxHint {
		return h
	}
	return strings.Join(words, " | ") + "  (/" + g.Name + " help)"
}

func commandList(groups []bot.GroupInfo) string {
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = "/" + g.Name
	}
	return strings.Join(names, ", ")
}

var manifestTemplate = template.Must(template.New("manifest").Funcs(template.FuncMap{
	"usageHint":   func(g bot.GroupInfo) string { return yamlText(usageHint(g)) },
	"yaml":        yamlText,
	"commandList": commandList,
}).Parse(manifestText))

const manifestText = `# Slack app manifest for icbot. Printed by ` + "`" + `icbot manifest slack` + "`" + ` from the
# command table; a test keeps this file the same as what it prints.
#
# Use it at https://api.slack.com/apps: Create New App > From a manifest,
# pick the workspace, and paste this file.
#
# icbot.example.org is a placeholder: replace it everywhere below with the
# public HTTPS host that forwards /slack/* to icbot's HTTP listener
# (http.addr / ICBOT_HTTP_ADDR, default :8080). Or switch Socket Mode on
# (settings.socket_mode_enabled below) and no public host is needed.
_metadata:
  major_version: 1
  minor_version: 1

display_information:
  name: icbot
  description: Intimacy coordination for film and TV sets

features:
  app_home:
    home_tab_enabled: false
    # The Messages tab lets people open a DM with icbot and type commands there.
    messages_tab_enabled: true
    messages_tab_read_only_enabled: false
  bot_user:
    display_name: icbot
    always_online: true
  # should_escape: true makes Slack send mentions as <@U123|name> and
  # channels as <#C123|name>, which is how icbot reads people and channels.
  # Each url is a placeholder (see the top of this file); in Socket Mode the
  # URLs are not needed.
  slash_commands:
{{- range .}}
    - command: /{{.Name}}
      url: https://icbot.example.org/slack/commands
      description: {{yaml .Summary}}
      usage_hint: {{usageHint .}}
      should_escape: true
{{- end}}

oauth_config:
  scopes:
    bot:
      # Slash commands ({{commandList .}}).
      - commands
      # chat.postMessage (channel posts and DMs), chat.postEphemeral
      # (replies only the caller sees), and chat.delete of icbot's own posts
      # that a new reader of their channel may not read.
      - chat:write
      # conversations.open, to open a DM with a person.
      - im:write
      # files.getUploadURLExternal and files.completeUploadExternal: the
      # record of a scene that /report scene sends the caller, uploaded
      # into their DM with icbot, never to a channel.
      - files:write
      # url_private_download of a file shared in a DM with icbot: the
      # screenplay of /scene import, fetched with the bot token. Files
      # shared in channels are not read.
      - files:read
      # message.im events: commands typed to icbot in a DM, and files
      # shared there.
      - im:history
      # conversations.info on a public channel, so icbot can tell that it is
      # not private (and refuse to post sensitive information there); the
      # member_joined_channel and channel_shared events of public channels.
      - channels:read
      # conversations.info on a private channel (is_private), and
      # conversations.members: who reads a channel before a top-line summary
      # or a department notice goes there, and the closed-set lock; the
      # member_joined_channel and channel_shared events of private channels.
      - groups:read
      # conversations.invite and conversations.kick on the private scene
      # channel: the closed-set lock and its undoing at /closedset end.
      - groups:write
      # users.info, for display names.
      - users:read

settings:
  event_subscriptions:
    request_url: https://icbot.example.org/slack/events
    bot_events:
      # Commands typed to icbot in a DM, and screenplays shared there.
      - message.im
      # Someone joined a channel icbot is in (channels:read, groups:read):
      # icbot checks that every reader may read what it posted there, takes
      # down what they may not, and tells the IC.
      - member_joined_channel
      # A channel icbot is in was shared with another workspace
      # (channels:read, groups:read): checked the same way.
      - channel_shared
  # Buttons in DMs (acknowledge the device policy, call a hold, answer,
  # withdraw) and the answer form's modal (views.open) come back here.
  interactivity:
    is_enabled: true
    request_url: https://icbot.example.org/slack/interactions
  org_deploy_enabled: false
  # Set to true to use Socket Mode: icbot then connects out to Slack, and the
  # request URLs above are not needed. Socket Mode needs an app-level token
  # with the connections:write scope (Basic Information > App-Level Tokens),
  # set as slack.app_token / ICBOT_SLACK_APP_TOKEN.
  socket_mode_enabled: false
  token_rotation_enabled: false
`
