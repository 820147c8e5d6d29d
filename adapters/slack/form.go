package slack

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	slackapi "github.com/slack-go/slack"

	"icbot/bot"
)

// formCallback marks the modals icbot opens for a bot.Form.
const formCallback = "icbot_form"

// formValue is the action id of every input in a form modal; the block id
// is the form field's key.
const formValue = "value"

// Slack's limits on a modal: it refuses one (and views.open fails) with
// more blocks, an input's label or a choice's text longer, or a text
// input whose value is longer than its field holds.
const (
	modalBlocks   = 100
	labelLimit    = 2000
	optionLimit   = 75
	inputLimit    = 3000
	metadataLimit = 3000
	titleLimit    = 24
	// shortLabel is how much of a label too long for its input is repeated
	// there, the whole of it shown in sections above.
	shortLabel = 150
)

// modal renders a form as a Slack modal: a radio group per choice, a text
// input per free-text field, the command in the private metadata. It keeps
// within Slack's limits whatever the form holds: a label too long for an
// input is shown whole in sections above it, the input getting its start;
// a text field whose value is longer than an input holds is left out, so
// that saving the modal leaves it as it was; choices beyond the blocks a
// modal may have are left out too. Each left out is said, with how to
// answer it by typing.
func modal(f *bot.Form) slackapi.ModalViewRequest {
	// Room for the text fields and two notes after the choices.
	room := modalBlocks - len(f.Texts) - 2
	var blocks []slackapi.Block
	shown := 0
	for _, c := range f.Choices {
		var opts []*slackapi.OptionBlockObject
		for _, o := range c.Options {
			opts = append(opts, slackapi.NewOptionBlockObject(o, plain(cut(o, optionLimit)), nil))
		}
		radios := slackapi.NewRadioButtonsBlockElement(formValue, opts...)
		if i := slices.Index(c.Options, c.Value); i >= 0 {
			radios.InitialOption = opts[i]
		}
		label, above := fitLabel(c.Label)
		if len(blocks)+len(above)+1 > room {
			break
		}
		blocks = append(blocks, above...)
		blocks = append(blocks, slackapi.NewInputBlock(c.Key, plain(label), nil, radios))
		shown++
	}
	if left := f.Choices[shown:]; len(left) > 0 {
		blocks = append(blocks, section(fmt.Sprintf("This form shows the first %d of %d questions. Answer the others by typing %s %s=%s (and so on).",
			shown, len(f.Choices), f.Command, left[0].Key, firstOption(left[0]))))
	}
	var long []string
	for _, t := range f.Texts {
		if utf16Len(t.Value) > inputLimit {
			long = append(long, t.Key)
			continue
		}
		in := slackapi.NewPlainTextInputBlockElement(nil, formValue)
		in.Multiline = true
		in.InitialValue = t.Value
		in.MaxLength = inputLimit
		label, _ := fitLabel(t.Label)
		b := slackapi.NewInputBlock(t.Key, plain(label), nil, in)
		b.Optional = true
		blocks = append(blocks, b)
	}
	if len(long) > 0 {
		blocks = append(blocks, section(fmt.Sprintf("What you wrote before for %s is longer than this form holds, so it is not here and saving leaves it as it is. Change it by typing %s %s=\"...\".",
			strings.Join(long, ", "), f.Command, long[0])))
	}
	return slackapi.ModalViewRequest{
		Type: slackapi.VTModal, Title: plain(cut(f.Title, titleLimit)), Submit: plain("Save"), Close: plain("Cancel"),
		Blocks: slackapi.Blocks{BlockSet: blocks}, PrivateMetadata: f.Command, CallbackID: formCallback,
	}
}

func plain(s string) *slackapi.TextBlockObject {
	return slackapi.NewTextBlockObject(slackapi.PlainTextType, s, false, false)
}

// section is a block of plain text; text must fit one.
func section(text string) slackapi.Block {
	return slackapi.NewSectionBlock(plain(text), nil, nil)
}

// fitLabel returns the label for an input, and the sections to show above
// it: none when the label fits; the whole label, when it does not, with
// its start as the input's label.
func fitLabel(label string) (string, []slackapi.Block) {
	if utf16Len(label) <= labelLimit {
		return label, nil
	}
	var above []slackapi.Block
	for _, part := range sections(label, sectionLimit) {
		if strings.TrimSpace(part) != "" {
			above = append(above, section(part))
		}
	}
	return cut(label, shortLabel), above
}

// cut shortens s to at most limit characters (UTF-16 code units), ending
// it with an ellipsis when it had to be cut.
func cut(s string, limit int) string {
	if utf16Len(s) <= limit {
		return s
	}
	return strings.TrimRight(sections(s, limit-1)[0], " \n") + "…"
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16Width(r)
	}
	return n
}

func firstOption(c bot.FormChoice) string {
	if len(c.Options) > 0 {
		return c.Options[0]
	}
	return "..."
}

// openForm opens the form of a reply in a modal, for the person whose
// button press gave trigger; it reports whether it did.
func (a *Adapter) openForm(ctx context.Context, trigger string, m bot.Message) bool {
	if m.Form == nil || trigger == "" || len(m.Form.Command) > metadataLimit {
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
