package discord

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"

	"github.com/bwmarrin/discordgo"

	"icbot/adapters/internal/fetch"
	"icbot/bot"
	"icbot/bot/fountain"
)

// cdnHosts are the hosts of Discord's attachments.
var cdnHosts = []string{"cdn.discordapp.com", "media.discordapp.net"}

// cdnAllowed reports whether an attachment's address may be fetched:
// https to Discord's CDN.
func cdnAllowed(u *url.URL) bool {
	return u.Scheme == "https" && u.User == nil && slices.Contains(cdnHosts, strings.ToLower(u.Hostname())) && (u.Port() == "" || u.Port() == "443")
}

// attachment fetches the file attached to a command (see fetch.Get): at
// most fountain.MaxSize bytes, by the size Discord gives and while
// reading, from Discord's CDN only, through the session's HTTP client.
// id is the attachment option's value; resolved is where Discord
// describes it.
func (a *Adapter) attachment(ctx context.Context, id string, resolved *discordgo.ApplicationCommandInteractionDataResolved) (*bot.Upload, error) {
	var f *discordgo.MessageAttachment
	if resolved != nil {
		f = resolved.Attachments[id]
	}
	if f == nil {
		return nil, bot.Errorf(bot.EINVALID, "Discord sent no file with the command, so nothing was imported: attach the screenplay to the command's file option.")
	}
	name := f.Filename
	if name == "" {
		name = "The file"
	}
	if f.Size > fountain.MaxSize {
		return nil, fetch.TooBig(name, int64(f.Size), fountain.MaxSize)
	}
	src := fetch.Source{Platform: "Discord", Client: a.session.Client, Allowed: cdnAllowed}
	data, err := fetch.Get(ctx, src, name, f.URL, fountain.MaxSize)
	if err != nil {
		var be *bot.Error
		if errors.As(err, &be) && be.Err != nil {
			a.log.Warn("an attachment could not be downloaded", "code", be.Code, "err", be.Err)
		}
		return nil, err
	}
	return &bot.Upload{Name: f.Filename, Data: data}, nil
}
