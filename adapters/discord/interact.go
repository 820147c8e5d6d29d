package discord

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"icbot/adapters/internal/reply"
	"icbot/bot"
)

// Custom ids of icbot's components. A button's id carries the command it
// runs; a form's select and modal carry the command the form stands for.
const (
	idCommand = "icbot:"       // + "/closedset ack 12"
	idSelect  = "icbotsel:"    // + "/boundaries answer 12|b3"
	idModal   = "icbotmodal:"  // + the command that makes the form: "/boundaries form 12"
	idSubmit  = "icbotsubmit:" // + "/boundaries answer 12"
)

// maxInput is the most a modal's text input holds.
const maxInput = 4000

// answer is what an interaction gets: the response Discord waits for, and
// the work to do once it is sent.
type answer struct {
	response *discordgo.InteractionResponse
	after    func()
}

func ephemeral(text string) *discordgo.InteractionResponseData {
	return &discordgo.InteractionResponseData{Content: fit(text), Flags: discordgo.MessageFlagsEphemeral,
		AllowedMentions: &discordgo.MessageAllowedMentions{}}
}

// respond handles an interaction and answers it through send, once; send
// must return only once Discord has the answer, since follow-ups start
// then. An answer not ready after deferAfter is replaced by a deferred
// ("icbot is thinking…") answer where Discord allows one, and the real
// answer then edits it, in the background; Discord forgets an interaction
// not answered in three seconds. Once the adapter is closing,
// interactions are not run.
func (a *Adapter) respond(ctx context.Context, h Handler, i *discordgo.Interaction, send func(*discordgo.InteractionResponse) error) {
	if !a.begin() {
		a.log.Warn("an interaction arrived while icbot is stopping; not run")
		return
	}
	defer a.inflight.Done()
	done := make(chan *answer, 1)
	go func() { done <- a.interaction(ctx, h, i) }()
	timer := time.NewTimer(a.deferAfter)
	defer timer.Stop()
	var ans *answer
	select {
	case ans = <-done:
	case <-timer.C:
		if !deferrable(i) {
			ans = <-done
			break
		}
		if err := send(&discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}}); err != nil {
			a.log.Error("a deferred answer failed", "err", redact(err))
		}
		a.inflight.Add(1)
		go func() {
			defer a.inflight.Done()
			ans := <-done
			if ans == nil {
				return
			}
			if err := a.edit(ctx, i, ans.response); err != nil {
				a.log.Warn("editing a deferred answer failed; sending it as a message", "err", err)
				if ans.response.Data != nil {
					id, _ := caller(i)
					a.tell(ctx, tokenHandle(i, a.clock()), bot.UserID(id), ans.response.Data.Content)
				}
			}
			ans.after()
		}()
		return
	}
	if ans == nil {
		return
	}
	if err := send(ans.response); err != nil {
		a.log.Error("answering an interaction failed", "err", redact(err))
	}
	ans.after()
}

// begin counts an interaction in, unless the adapter is closing.
func (a *Adapter) begin() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closing {
		return false
	}
	a.inflight.Add(1)
	return true
}

func (a *Adapter) isClosing() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.closing
}

// tell sends text only its recipient sees, as a follow-up while the
// interaction's token lasts and by DM after.
func (a *Adapter) tell(ctx context.Context, handle string, to bot.UserID, text string) {
	if err := reply.ToCaller(ctx, a, handle, to, bot.Message{Text: text}); err != nil {
		a.log.Error("an answer could not be sent", "err", err)
	}
}

// deferrable says whether an interaction's answer may be deferred: a
// command's may, an autocomplete's or a modal's may not.
func deferrable(i *discordgo.Interaction) bool {
	switch i.Type {
	case discordgo.InteractionApplicationCommand, discordgo.InteractionModalSubmit:
		return true
	case discordgo.InteractionMessageComponent:
		return !strings.HasPrefix(i.MessageComponentData().CustomID, idModal)
	}
	return false
}

// edit replaces a deferred answer with the real one.
func (a *Adapter) edit(ctx context.Context, i *discordgo.Interaction, r *discordgo.InteractionResponse) error {
	e := &discordgo.WebhookEdit{AllowedMentions: noMentions}
	if r.Data != nil {
		e.Content = &r.Data.Content
		if r.Data.Components != nil {
			e.Components = &r.Data.Components
		}
	}
	return retryUnknown(ctx, func() error {
		_, err := a.api.InteractionResponseEdit(i, e, discordgo.WithContext(ctx))
		return failure("answer the command", err)
	})
}

// interaction handles one interaction and says how to answer it.
// Interactions from another server than the production's are refused.
func (a *Adapter) interaction(ctx context.Context, h Handler, i *discordgo.Interaction) *answer {
	if !a.fromOwnServer(i) {
		a.log.Warn("refused an interaction from another server", "guild", i.GuildID)
		if i.Type == discordgo.InteractionApplicationCommandAutocomplete {
			return &answer{response: &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult,
				Data: &discordgo.InteractionResponseData{Choices: []*discordgo.ApplicationCommandOptionChoice{}}}, after: func() {}}
		}
		return a.text("icbot works only in its production's own server, or in a DM with it.")
	}
	req := decode(h.Catalogue(), i)
	switch req.kind {
	case askPing:
		return &answer{response: &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong}, after: func() {}}
	case askUnknown:
		a.log.Warn("an unknown command", "err", req.err)
		return a.text("icbot does not know that command: its commands may need registering again.")
	case askRun:
		cmd := a.command(i, req.line)
		if req.file != "" {
			up, err := a.attachment(ctx, req.file, i.ApplicationCommandData().Resolved)
			if err != nil {
				return a.text(bot.ErrorMessage(err))
			}
			cmd.Upload = up
		}
		return a.run(ctx, h, cmd)
	case askScenes:
		return a.autocomplete(ctx, h, i, req.line)
	case askModal:
		return a.openModal(ctx, h, i, req.line)
	}
	a.log.Debug("ignored an interaction", "type", i.Type.String())
	return nil
}

// asked is what an interaction asks of icbot, read from the interaction
// alone.
type asked struct {
	kind askKind
	// line is the command line to run (askRun), the command that makes
	// the form to open (askModal), or what the person has typed of a
	// scene id (askScenes).
	line string
	err  error // why a command is unknown (askUnknown)
	// file is the id of the file attached to an application command
	// (askRun), "" for none.
	file string
}

type askKind int

const (
	askNothing askKind = iota // nothing icbot answers
	askPing                   // Discord checking the endpoint
	askUnknown                // a command icbot does not have
	askRun                    // run a command
	askScenes                 // offer scene ids
	askModal                  // open a form's free-text fields
)

// decode reads what an interaction asks, through the bot's catalogue: an
// application command is the command line its options spell; a button is
// the command its id carries; a select menu's choice or a submitted modal
// is the form's command with the values given.
func decode(cat []bot.CommandInfo, i *discordgo.Interaction) asked {
	switch i.Type {
	case discordgo.InteractionPing:
		return asked{kind: askPing}
	case discordgo.InteractionApplicationCommand:
		line, file, err := commandLine(cat, i.ApplicationCommandData())
		if err != nil {
			return asked{kind: askUnknown, err: err}
		}
		return asked{kind: askRun, line: line, file: file}
	case discordgo.InteractionApplicationCommandAutocomplete:
		return asked{kind: askScenes, line: focused(i.ApplicationCommandData().Options)}
	case discordgo.InteractionMessageComponent:
		d := i.MessageComponentData()
		switch {
		case strings.HasPrefix(d.CustomID, idCommand):
			return asked{kind: askRun, line: strings.TrimPrefix(d.CustomID, idCommand)}
		case strings.HasPrefix(d.CustomID, idSelect) && len(d.Values) == 1:
			cmd, key, _ := strings.Cut(strings.TrimPrefix(d.CustomID, idSelect), "|")
			f := &bot.Form{Command: cmd, Choices: []bot.FormChoice{{Key: key}}}
			return asked{kind: askRun, line: f.Submit(map[string]string{key: d.Values[0]})}
		case strings.HasPrefix(d.CustomID, idModal):
			return asked{kind: askModal, line: strings.TrimPrefix(d.CustomID, idModal)}
		}
	case discordgo.InteractionModalSubmit:
		d := i.ModalSubmitData()
		if !strings.HasPrefix(d.CustomID, idSubmit) {
			break
		}
		f := &bot.Form{Command: strings.TrimPrefix(d.CustomID, idSubmit)}
		values := map[string]string{}
		for _, row := range d.Components {
			r, ok := row.(*discordgo.ActionsRow)
			if !ok || r == nil {
				continue
			}
			for _, c := range r.Components {
				if t, ok := c.(*discordgo.TextInput); ok && t != nil {
					f.Texts = append(f.Texts, bot.FormText{Key: t.CustomID})
					values[t.CustomID] = t.Value
				}
			}
		}
		return asked{kind: askRun, line: f.Submit(values)}
	}
	return asked{}
}

// focused is what the person has typed in the option being completed.
func focused(opts []*discordgo.ApplicationCommandInteractionDataOption) string {
	for _, o := range opts {
		if o == nil {
			continue
		}
		if o.Focused {
			return optionValue(o)
		}
		if v := focused(o.Options); v != "" {
			return v
		}
	}
	return ""
}

func (a *Adapter) text(s string) *answer {
	return &answer{response: &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: ephemeral(s)}, after: func() {}}
}

// fromOwnServer reports whether an interaction may be run: it comes from
// the configured server, or from a DM with icbot (no server: the buttons
// and forms of icbot's DMs), or no server is configured. An interaction
// from another server the bot was added to would act on the production
// with channels and people that are not its own.
func (a *Adapter) fromOwnServer(i *discordgo.Interaction) bool {
	return a.cfg.GuildID == "" || i.GuildID == "" || i.GuildID == a.cfg.GuildID
}

// command is the bot.Command behind an interaction. Its request key is
// the interaction's id: Discord delivers an interaction once, so the same
// one again (a copy of a signed request, a gateway event replayed) has no
// second effect.
func (a *Adapter) command(i *discordgo.Interaction, line string) bot.Command {
	id, name := caller(i)
	cmd := bot.Command{Caller: bot.UserID(id), CallerName: clean(name), Channel: bot.ChannelID(i.ChannelID), Text: line,
		ReplyHandle: tokenHandle(i, a.clock())}
	if i.ID != "" {
		cmd.Once = "discord:" + i.ID
	}
	return cmd
}

// run handles an interaction's command: the answer is the caller's
// ephemeral reply (a form when the reply carries one); the follow-up
// runs once Discord has it.
func (a *Adapter) run(ctx context.Context, h Handler, cmd bot.Command) *answer {
	line := cmd.Text
	out := h.Handle(ctx, cmd)
	text := out.ReplyText()
	data := ephemeral(text)
	for _, m := range out.Replies {
		if m.Form != nil {
			text = formIntro(m.Form) + "\n" + text
			data = formMessage(m, line, fit(text))
		}
	}
	rest := overflow(text)
	return &answer{
		response: &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: data},
		after: func() {
			a.inflight.Add(1)
			go func() {
				defer a.inflight.Done()
				bg := a.inflight.Context()
				for _, part := range rest {
					a.tell(bg, cmd.ReplyHandle, cmd.Caller, part)
				}
				h.FollowUp(bg, out)
			}()
		},
	}
}

// autocomplete offers the scenes the caller may see whose ids start with
// prefix.
func (a *Adapter) autocomplete(ctx context.Context, h Handler, i *discordgo.Interaction, prefix string) *answer {
	id, _ := caller(i)
	scenes, err := h.SceneChoices(ctx, bot.UserID(id), prefix)
	if err != nil {
		a.log.Error("scene choices", "err", err)
	}
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	for _, s := range scenes {
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: short(string(s.ID) + " " + s.Title), Value: string(s.ID)})
	}
	return &answer{response: &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices}}, after: func() {}}
}

// formIntro is what a form's message says above the form's own text.
func formIntro(f *bot.Form) string {
	text := f.Title + ": choose an answer for each beat; each is saved as you choose it."
	if len(f.Choices) > 4 {
		text += fmt.Sprintf(" This shows the first 4 of %d beats; answer the others with /boundaries answer.", len(f.Choices))
	}
	return text
}

// formMessage shows a form as an ephemeral message with content: a select
// menu per choice (Discord allows four beside the button row), and a
// button that opens a modal for the free-text fields.
func formMessage(m bot.Message, line, content string) *discordgo.InteractionResponseData {
	f := m.Form
	var rows []discordgo.MessageComponent
	for n, c := range f.Choices {
		if n == 4 {
			break
		}
		var opts []discordgo.SelectMenuOption
		for _, o := range c.Options {
			opts = append(opts, discordgo.SelectMenuOption{Label: o, Value: o, Default: o == c.Value})
		}
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.SelectMenu{
			CustomID: idSelect + f.Command + "|" + c.Key, Placeholder: short(c.Label), Options: opts,
		}}})
	}
	if len(f.Texts) > 0 {
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.Button{
			Label: "Notes, garments, body notes", Style: discordgo.SecondaryButton, CustomID: idModal + line,
		}}})
	}
	return &discordgo.InteractionResponseData{Content: content, Flags: discordgo.MessageFlagsEphemeral, Components: rows,
		AllowedMentions: &discordgo.MessageAllowedMentions{}}
}

// openModal runs the command that makes a form and opens its free-text
// fields in a modal, filled with what was given before.
func (a *Adapter) openModal(ctx context.Context, h Handler, i *discordgo.Interaction, formCommand string) *answer {
	out := h.Handle(ctx, a.command(i, formCommand))
	for _, m := range out.Replies {
		if m.Form == nil {
			continue
		}
		var rows []discordgo.MessageComponent
		for _, t := range m.Form.Texts {
			if len([]rune(t.Value)) > maxInput {
				// Longer than a text input holds: left out, so that
				// submitting the modal leaves it as it is.
				continue
			}
			label := t.Label
			if r := []rune(label); len(r) > 45 { // Discord's limit for a text input's label
				label = string(r[:44]) + "…"
			}
			rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.TextInput{
				CustomID: t.Key, Label: label, Style: discordgo.TextInputParagraph, Value: t.Value, Required: false, MaxLength: maxInput,
			}}})
		}
		if len(rows) == 0 {
			return a.text("What you wrote before is longer than a form holds: change it with /boundaries answer, as in notes=\"...\".")
		}
		title := m.Form.Title
		if r := []rune(title); len(r) > 45 {
			title = string(r[:44]) + "…"
		}
		return &answer{response: &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: &discordgo.InteractionResponseData{
			CustomID: idSubmit + m.Form.Command, Title: title, Components: rows}}, after: func() {}}
	}
	return a.text(out.ReplyText())
}
