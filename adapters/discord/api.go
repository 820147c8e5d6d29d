package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"icbot/bot"
)

// api is the part of Discord's REST API icbot calls; *discordgo.Session
// has it, and tests point a real session at a local fake.
type api interface {
	ApplicationCommandBulkOverwrite(appID, guildID string, commands []*discordgo.ApplicationCommand, options ...discordgo.RequestOption) ([]*discordgo.ApplicationCommand, error)
	InteractionRespond(interaction *discordgo.Interaction, resp *discordgo.InteractionResponse, options ...discordgo.RequestOption) error
	InteractionResponseEdit(interaction *discordgo.Interaction, newresp *discordgo.WebhookEdit, options ...discordgo.RequestOption) (*discordgo.Message, error)
	FollowupMessageCreate(interaction *discordgo.Interaction, wait bool, data *discordgo.WebhookParams, options ...discordgo.RequestOption) (*discordgo.Message, error)
	UserChannelCreate(recipientID string, options ...discordgo.RequestOption) (*discordgo.Channel, error)
	ChannelMessageSendComplex(channelID string, data *discordgo.MessageSend, options ...discordgo.RequestOption) (*discordgo.Message, error)
	ChannelMessageDelete(channelID, messageID string, options ...discordgo.RequestOption) error
	Channel(channelID string, options ...discordgo.RequestOption) (*discordgo.Channel, error)
	ChannelPermissionSet(channelID, targetID string, targetType discordgo.PermissionOverwriteType, allow, deny int64, options ...discordgo.RequestOption) error
	ChannelPermissionDelete(channelID, targetID string, options ...discordgo.RequestOption) error
	User(userID string, options ...discordgo.RequestOption) (*discordgo.User, error)
	Guild(guildID string, options ...discordgo.RequestOption) (*discordgo.Guild, error)
}

var _ api = (*discordgo.Session)(nil)

// Discord's JSON error codes icbot explains.
const (
	codeUnknownChannel     = 10003
	codeUnknownMessage     = 10008
	codeUnknownWebhook     = 10015
	codeMissingAccess      = 50001
	codeCannotDM           = 50007
	codeMissingPermissions = 50013
)

// redact keeps request URLs out of an error, and so out of logs: an
// interaction's URL holds its token, which lets its holder post as icbot
// to the person who used it. Go's HTTP client puts the URL in the
// *url.Error of every failed request.
func redact(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	u, perr := url.Parse(ue.URL)
	where := "Discord"
	if perr == nil {
		parts := strings.Split(u.Path, "/")
		for i, p := range parts {
			if len(p) > 32 { // a token, never an id or a word
				parts[i] = "…"
			}
		}
		where = u.Host + strings.Join(parts, "/")
	}
	return fmt.Errorf("%s %s: %w", ue.Op, where, ue.Err)
}

// failure turns a REST error into what the bot understands: a passing
// failure to retry (network, Discord's own trouble, a rate limit its
// client gave up on), or a refusal explained for the IC or AD.
func failure(what string, err error) error {
	if err == nil {
		return nil
	}
	err = redact(err)
	var re *discordgo.RESTError
	if !errors.As(err, &re) {
		return bot.RetryLater(0, err)
	}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	code := 0
	if re.Message != nil {
		code = re.Message.Code
	}
	if status == http.StatusTooManyRequests || status >= 500 {
		return bot.RetryLater(0, err)
	}
	var msg string
	switch code {
	case codeMissingPermissions:
		msg = fmt.Sprintf("icbot lacks a permission to %s: give its role Manage Roles and Manage Channels on the channel (and place it above the roles it must override) (Discord code %d)", what, code)
	case codeMissingAccess:
		msg = fmt.Sprintf("icbot cannot see the channel to %s: give its role View Channel there (Discord code %d)", what, code)
	case codeUnknownChannel:
		// ENOTFOUND: the domain tells "no such channel" apart from a
		// channel it may not use.
		return &bot.Error{Code: bot.ENOTFOUND, Message: fmt.Sprintf("Discord does not know that channel (Discord code %d): check the channel id", code), Err: err}
	case codeCannotDM:
		msg = fmt.Sprintf("that person does not accept direct messages from this server: ask them to allow them in the server's privacy settings (Discord code %d)", code)
	default:
		msg = fmt.Sprintf("Discord refused to %s (HTTP %d, code %d)", what, status, code)
	}
	return &bot.Error{Code: bot.EUNAVAILABLE, Message: msg, Err: err}
}

// refusedCall reports whether Discord answered a request with a refusal
// (a status below 500, a rate limit included), so that it certainly did
// nothing; a timeout or a broken connection may come after it acted.
func refusedCall(err error) bool {
	var re *discordgo.RESTError
	return errors.As(err, &re) && re.Response != nil && re.Response.StatusCode < 500
}

// restCode is Discord's JSON error code of a refused request, 0 for
// failures of another kind.
func restCode(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil {
		return re.Message.Code
	}
	return 0
}

// retryUnknown runs call, and again after short waits while Discord says
// it does not know the interaction's webhook yet: a follow-up can reach
// Discord just before the answer it follows has been taken in.
func retryUnknown(ctx context.Context, call func() error) error {
	wait := 250 * time.Millisecond
	for try := 1; ; try++ {
		err := call()
		var re *discordgo.RESTError
		if try == 3 || !errors.As(err, &re) || re.Message == nil || re.Message.Code != codeUnknownWebhook {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait *= 2
	}
}
