package bot_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"icbot/bot"
	"icbot/storage"
)

// TestRequestTakesEffectOnce: a command the platform delivers twice under
// the same key (a replayed signed request, a retried event) takes effect
// once, also after a restart; a key whose command failed may be used
// again, and read-only commands are not limited.
func TestRequestTakesEffectOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	open := func() (*storage.Store, *bot.Bot, *fakeChat) {
		st, err := storage.Open(path, storage.WithTimeout(time.Second), storage.WithKey(testKey))
		if err != nil {
			t.Fatal(err)
		}
		fc := &fakeChat{}
		fc.private, fc.members = harnessChannels()
		return st, bot.New(st, fc, bot.WithClock(func() time.Time { return t0 }), bot.WithAdmins("root")), fc
	}
	st, b, fc := open()
	ctx := context.Background()
	run := func(b *bot.Bot, caller, text, key string) *bot.Outcome {
		o := b.Handle(ctx, bot.Command{Caller: bot.UserID(caller), Text: text, Once: key})
		b.FollowUp(ctx, o)
		return o
	}
	if o := run(b, "root", "/icbot role add <@ines> ic", "k-role"); o.Err != nil {
		t.Fatal(o.Err)
	}
	if o := run(b, "ines", `/scene add 9 title="Dock" call="2026-12-20 09:00" performers=<@paula>`, "k-scene"); o.Err == nil {
		t.Fatalf("a scene with a performer who has no role: %v", o.Err)
	}
	// The same key again, now that the command can succeed: it runs.
	run(b, "root", "/icbot role add <@paula> performer", "k-perf")
	if o := run(b, "ines", `/scene add 9 title="Dock" call="2026-12-20 09:00" performers=<@paula>`, "k-scene"); o.Err != nil {
		t.Fatalf("a key whose command failed was not usable again: %v", o.Err)
	}
	hold := func(b *bot.Bot) *bot.Outcome { return run(b, "paula", "/hold 9 I need a minute", "slack:sig:abc") }
	if o := hold(b); o.Err != nil {
		t.Fatal(o.Err)
	}
	fc.take()
	o := hold(b)
	if bot.ErrorCode(o.Err) != bot.ECONFLICT || o.ReplyText() != "This request was already handled, so it was not run again." {
		t.Errorf("replayed hold: %v %q", o.Err, o.ReplyText())
	}
	if sent := fc.take(); len(sent) != 0 {
		t.Errorf("a replayed hold sent %+v", sent)
	}
	// Read-only commands answer every time.
	for range 2 {
		if o := run(b, "ines", "/scene show 9", "k-show"); o.Err != nil {
			t.Errorf("/scene show with a key: %v", o.Err)
		}
	}
	st.Close()

	st, b, _ = open()
	defer st.Close()
	if o := hold(b); bot.ErrorCode(o.Err) != bot.ECONFLICT {
		t.Errorf("replayed hold after a restart: %v %q", o.Err, o.ReplyText())
	}
	var holds int
	st.View(ctx, func(tx bot.Tx) error {
		sc, err := tx.Scene("9")
		holds = len(sc.Holds)
		return err
	})
	if holds != 1 {
		t.Errorf("%d holds, want 1", holds)
	}
}
