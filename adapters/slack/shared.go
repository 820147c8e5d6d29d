package slack

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	slackapi "github.com/slack-go/slack"

	"icbot/adapters/internal/fetch"
	"icbot/bot"
	"icbot/bot/fountain"
)

// eventFile is a file a message event carries, as Slack describes it
// (files:read).
type eventFile struct {
	ID                 string `json:"id"`
	Name               string `json:"name"`
	Size               int64  `json:"size"`
	URLPrivateDownload string `json:"url_private_download"`
}

// importLine is the command a file shared with icbot stands for.
const importLine = "/scene import"

// fileShare is the command a file shared in a DM with icbot stands for:
// the screenplay import, from the person who shared it, in that DM, keyed
// by the event's id. The message's text is the command when it is an
// import ("/scene import dry-run"), and is ignored otherwise. False for
// every other event: a file shared in a channel, one shared by a bot
// (icbot included), a message without a file.
func fileShare(env eventEnvelope, botUser string) (bot.Command, []eventFile, bool) {
	e := env.Event
	if env.Type != "event_callback" || env.EventID == "" || e.Type != "message" || e.Subtype != "file_share" ||
		e.ChannelType != "im" || e.BotID != "" || e.User == "" || e.User == botUser || e.Channel == "" {
		return bot.Command{}, nil, false
	}
	text := importLine
	if t := "/" + strings.TrimPrefix(strings.TrimSpace(e.Text), "/"); strings.HasPrefix(t, importLine) &&
		(len(t) == len(importLine) || strings.ContainsAny(t[len(importLine):][:1], " \t\r\n")) {
		text = t
	}
	return bot.Command{Caller: bot.UserID(e.User), Channel: bot.ChannelID(e.Channel), ReplyHandle: imHandle(e.Channel),
		Text: text, Once: "slack:event:" + env.EventID}, e.Files, true
}

// importShared runs the import a shared file stands for, after the
// event's acknowledgement: the download may take longer than the three
// seconds Slack waits for one. The file is fetched from Slack's file host
// with icbot's token, and handed to the bot with the command; a file that
// cannot be fetched, is too big or is not text is not handed over, and
// the person is told why in the DM. A redelivered event downloads again,
// and its command, keyed by the event id, takes effect once.
func (a *Adapter) importShared(ctx context.Context, h Handler, cmd bot.Command, files []eventFile) {
	cmd.CallerName = a.displayNames(ctx, string(cmd.Caller))[string(cmd.Caller)]
	post := func(bg context.Context, m bot.Message) error {
		_, err := a.Post(bg, cmd.Channel, m)
		return err
	}
	up, err := a.download(ctx, files)
	if err != nil {
		// The cause alone: the message names the file.
		var be *bot.Error
		if errors.As(err, &be) && be.Err != nil {
			a.log.Warn("a shared file could not be downloaded", "code", be.Code, "err", be.Err)
		} else {
			a.log.Info("a shared file was refused", "code", bot.ErrorCode(err))
		}
		if err := a.sendRetrying(ctx, bot.Message{Text: bot.ErrorMessage(err)}, post); err != nil {
			a.log.Error("an answer could not be sent", "err", err)
		}
		return
	}
	cmd.Upload = up
	out := h.Handle(ctx, cmd)
	if out.Repeated() {
		a.log.Info("ignored a retried event", "once", cmd.Once)
		return
	}
	a.answerLater(h, out, post)
}

// download fetches the one file of a share (see fetch.Get): at most
// fountain.MaxSize bytes, from Slack's file host only. A file the event
// describes only in part (file_access check_file_info, no download
// address) is looked up with files.info first.
func (a *Adapter) download(ctx context.Context, files []eventFile) (*bot.Upload, error) {
	switch len(files) {
	case 0:
		return nil, bot.Errorf(bot.EINVALID, "Slack sent no file with that message, so nothing was imported: share the screenplay in this DM again.")
	case 1:
	default:
		return nil, bot.Errorf(bot.EINVALID, "That message shares %d files; icbot imports one screenplay at a time, so nothing was imported: share the screenplay alone.", len(files))
	}
	f := files[0]
	if f.URLPrivateDownload == "" && f.ID != "" {
		info, _, _, err := a.api.GetFileInfoContext(ctx, f.ID, 0, 0)
		if err != nil {
			a.log.Warn("files.info failed for a shared file", "err", err)
			return nil, bot.Errorf(bot.EUNAVAILABLE, "%s could not be looked up on Slack, so nothing was imported: share it again in a minute.", fileName(f.Name))
		}
		f.URLPrivateDownload, f.Size = info.URLPrivateDownload, int64(info.Size)
		if f.Name == "" {
			f.Name = info.Name
		}
	}
	name := fileName(f.Name)
	if f.URLPrivateDownload == "" {
		return nil, bot.Errorf(bot.EINVALID, "%s cannot be downloaded from Slack (a link to a file kept elsewhere, or one Slack holds back), so nothing was imported: upload the screenplay file itself into this DM.", name)
	}
	if f.Size > fountain.MaxSize {
		return nil, fetch.TooBig(name, f.Size, fountain.MaxSize)
	}
	src := fetch.Source{Platform: "Slack", Client: a.web, Header: http.Header{"Authorization": {"Bearer " + a.cfg.BotToken}},
		Allowed: func(u *url.URL) bool { return a.uploadAllowed(u.String()) }}
	data, err := fetch.Get(ctx, src, name, f.URLPrivateDownload, fountain.MaxSize)
	if err != nil {
		return nil, err
	}
	return &bot.Upload{Name: f.Name, Data: data}, nil
}

// fileName is a file's name in a message, "The file" when it has none.
func fileName(name string) string {
	if name == "" {
		return "The file"
	}
	return name
}

func (x metered) GetFileInfoContext(ctx context.Context, fileID string, count, page int) (*slackapi.File, []slackapi.Comment, *slackapi.Paging, error) {
	f, c, p, err := x.api.GetFileInfoContext(ctx, fileID, count, page)
	x.count("files.info", err)
	return f, c, p, err
}
