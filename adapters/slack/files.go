package slack

import (
	"bytes"
	"context"
	"net/url"
	"strings"

	slackapi "github.com/slack-go/slack"

	"icbot/bot"
)

var _ bot.FileSender = (*Adapter)(nil)

// SendFile puts a file into a person's DM with icbot, with the message's
// text beside it, by Slack's upload flow: files.getUploadURLExternal
// gives an address for the bytes, the bytes go there, and
// files.completeUploadExternal shares the file into the DM. The address
// is followed only to Slack's file host (uploadAllowed): the upload
// carries icbot's token and the file. A file uploaded but not shared is
// seen by nobody; a retry uploads it again.
func (a *Adapter) SendFile(ctx context.Context, to bot.UserID, f bot.File, m bot.Message) error {
	if len(f.Data) == 0 {
		return bot.Errorf(bot.EINVALID, "%s is empty, and Slack takes no empty file", f.Name)
	}
	ch, err := a.imChannel(ctx, to)
	if err != nil {
		return err
	}
	up, err := a.api.GetUploadURLExternalContext(ctx, slackapi.GetUploadURLExternalParameters{FileName: f.Name, FileSize: len(f.Data)})
	if err != nil {
		return failure("files.getUploadURLExternal", err)
	}
	if !a.uploadAllowed(up.UploadURL) {
		a.log.Warn("refused an upload address that does not lead to Slack; nothing was sent", "host", hostOf(up.UploadURL))
		return bot.Errorf(bot.EUNAVAILABLE, "Slack's answer gave an upload address outside Slack (%s), so the file was not sent", hostOf(up.UploadURL))
	}
	if err := a.api.UploadToURL(ctx, slackapi.UploadToURLParameters{UploadURL: up.UploadURL, Filename: f.Name, Reader: bytes.NewReader(f.Data)}); err != nil {
		return failure("files.upload", withoutURL(err))
	}
	if err := a.pace.wait(ctx, ch); err != nil {
		return bot.RetryLater(0, err)
	}
	_, err = a.api.CompleteUploadExternalContext(ctx, slackapi.CompleteUploadExternalParameters{
		Files: []slackapi.FileSummary{{ID: up.FileID, Title: f.Name}}, Channel: ch, InitialComment: escape(m.Text)})
	return failure("files.completeUploadExternal", err)
}

// slackFiles is the host of Slack's upload addresses, and of the
// download addresses of files shared with icbot.
const slackFiles = "files.slack.com"

// uploadAllowed reports whether a file's address may be followed, to
// upload a file or to download one shared with icbot (both carry icbot's
// token): https to Slack's file host, or to the host of the configured
// API URL (a fake or a proxy), by its scheme.
func (a *Adapter) uploadAllowed(target string) bool {
	u, err := url.Parse(target)
	if err != nil || u.User != nil || u.Opaque != "" || u.Host == "" {
		return false
	}
	if u.Scheme == "https" && strings.EqualFold(u.Host, slackFiles) {
		return true
	}
	return a.apiBase != nil && u.Scheme == a.apiBase.Scheme && strings.EqualFold(u.Host, a.apiBase.Host)
}

func (x metered) GetUploadURLExternalContext(ctx context.Context, p slackapi.GetUploadURLExternalParameters) (*slackapi.GetUploadURLExternalResponse, error) {
	r, err := x.api.GetUploadURLExternalContext(ctx, p)
	x.count("files.getUploadURLExternal", err)
	return r, err
}

func (x metered) UploadToURL(ctx context.Context, p slackapi.UploadToURLParameters) error {
	err := x.api.UploadToURL(ctx, p)
	x.count("files.upload", err)
	return err
}

func (x metered) CompleteUploadExternalContext(ctx context.Context, p slackapi.CompleteUploadExternalParameters) (*slackapi.CompleteUploadExternalResponse, error) {
	r, err := x.api.CompleteUploadExternalContext(ctx, p)
	x.count("files.completeUploadExternal", err)
	return r, err
}
