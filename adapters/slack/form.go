package slack

import (
	"context"
	"maps"
	"slices"

	slackapi "github.com/slack-go/slack"

	"icbot/bot"
)

// formCallback marks the modals icbot opens for a bot.Form.
const formCallback = "icbot_form"

// formValue is the action id of every input in a form modal; the block id
// is the form field's key.
const formValue = "value"

// modal renders a form as a Slack modal: a radio group per choice, a text
// input per free-text field, the command in the private metadata.
func modal(f *bot.Form) slackapi.ModalViewRequest {
	plain := func(s string) *slackapi.TextBlockObject {
		return slackapi.NewTextBlockObject(slackapi.PlainTextType, s, false, false)
	}
	title := f.Title
	if r := []rune(title); len(r) > 24 { // Slack's limit for a modal title
		title = string(r[:23]) + "…"
	}
	var blocks []slackapi.Block
	for _, c := range f.Choices {
		var opts []*slackapi.OptionBlockObject
		for _, o := range c.Options {
			opts = append(opts, slackapi.NewOptionBlockObject(o, plain(o), nil))
		}
		radios := slackapi.NewRadioButtonsBlockElement(formValue, opts...)
		if i := slices.Index(c.Options, c.Value); i >= 0 {
			radios.InitialOption = opts[i]
		}
		blocks = append(blocks, slackapi.NewInputBlock(c.Key, plain(c.Label), nil, radios))
	}
	for _, t := range f.Texts {
		in := slackapi.NewPlainTextInputBlockElement(nil, formValue)
		in.Multiline = true
		in.InitialValue = t.Value
		b := slackapi.NewInputBlock(t.Key, plain(t.Label), nil, in)
		b.Optional = true
		blocks = append(blocks, b)
	}
	return slackapi.ModalViewRequest{
		Type: slackapi.VTModal, Title: plain(title), Submit: plain("Save"), Close: plain("Cancel"),
		Blocks: slackapi.Blocks{BlockSet: blocks}, PrivateMetadata: f.Command, CallbackID: formCallback,
	}
}

// openForm opens the form of a reply in a modal, for the person whose
// button press gave trigger; it reports whether it did.
func (a *Adapter) openForm(ctx context.Context, trigger string, m bot.Message) bool {
	if m.Form == nil || trigger == "" {
		return false
	}
	if _, err := a.api.OpenViewContext(ctx, trigger, modal(m.Form)); err != nil {
		a.log.Warn("views.open failed; answering with text", "err", err)
		return false
	}
	return true
}

// submitted turns a form modal's submission back into its command.
func submitted(v slackapi.View) string {
	f := &bot.Form{Command: v.PrivateMetadata}
	values := map[string]string{}
	if v.State != nil {
		for _, key := range slices.Sorted(maps.Keys(v.State.Values)) {
			act := v.State.Values[key][formValue]
			if act.Type == "radio_buttons" || act.SelectedOption.Value != "" {
				f.Choices = append(f.Choices, bot.FormChoice{Key: key})
				values[key] = act.SelectedOption.Value
			} else {
				f.Texts = append(f.Texts, bot.FormText{Key: key})
				values[key] = act.Value
			}
		}
	}
	return f.Submit(values)
}
