package bot

import "fmt"

// A channel has one purpose in icbot: the set channel, where closed sets
// are announced to everyone; one scene's channel, locked to its roster
// during a closed set; or one department's channel, for its notices. A
// channel given two would mix audiences: a scene channel that is also
// costume's would let a closed-set roster into the garment notes, and
// lock costume out of its own channel.
type purpose struct {
	set   bool
	scene SceneID
	dept  Role
}

func (p purpose) none() bool { return !p.set && p.scene == "" && p.dept == "" }

func (p purpose) String() string {
	switch {
	case p.set:
		return "the set channel, where closed sets are announced to everyone"
	case p.scene != "":
		return "the channel of scene " + string(p.scene)
	case p.dept != "":
		return "the " + p.dept.Title() + " channel"
	}
	return "nothing"
}

// use names what the channel would be used for: "scene 20", "costume's
// notices".
func (p purpose) use() string {
	switch {
	case p.set:
		return "the set's announcements"
	case p.scene != "":
		return "scene " + string(p.scene)
	case p.dept != "":
		return p.dept.Title() + " notices"
	}
	return "nothing"
}

// purposeOf says what ch is for.
func (b *Bot) purposeOf(tx Tx, ch ChannelID) (purpose, error) {
	if ch == "" {
		return purpose{}, nil
	}
	if ch == b.setChannel {
		return purpose{set: true}, nil
	}
	info, err := tx.Production()
	if err != nil {
		return purpose{}, err
	}
	for _, d := range departments {
		if info.DeptChannels[d] == ch {
			return purpose{dept: d}, nil
		}
	}
	scenes, err := tx.Scenes()
	if err != nil {
		return purpose{}, err
	}
	for _, sc := range scenes {
		if sc.Channel == ch {
			return purpose{scene: sc.ID}, nil
		}
	}
	return purpose{}, nil
}

// givePurpose refuses to give ch the purpose want when it already has
// another, naming the first.
func (b *Bot) givePurpose(tx Tx, ch ChannelID, want purpose) error {
	have, err := b.purposeOf(tx, ch)
	if err != nil || have.none() || have == want {
		return err
	}
	return Errorf(ECONFLICT, "#%s is already %s; a channel has one purpose in icbot, so that its readers are one audience. Use another channel for %s.", ch, have, want.use())
}

// postPurpose refuses a post of scene's top-line summary to a channel
// that is for something else.
func (b *Bot) postPurpose(tx Tx, ch ChannelID, scene SceneID) error {
	have, err := b.purposeOf(tx, ch)
	if err != nil || have.none() || have.scene == scene {
		return err
	}
	return Errorf(ECONFLICT, "#%s is %s, not a place for the top-line summary of scene %s: post it to the scene's own channel or a private channel of its audience.", ch, have, scene)
}

var _ fmt.Stringer = purpose{}
