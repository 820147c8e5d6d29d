package storage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"icbot/bot"
)

// TestLatestSessions lists the latest session of each scene that had one,
// by scene id, a removed scene's included, and nothing for scenes
// without sessions.
func TestLatestSessions(t *testing.T) {
	s := openStore(t)
	update(t, s, func(tx bot.Tx) error {
		for _, id := range []bot.SceneID{"9", "10", "11", "12"} {
			if err := tx.PutScene(bot.Scene{ID: id, Title: "t", Call: t0}); err != nil {
				return err
			}
		}
		for _, sess := range []bot.Session{
			{Scene: "9", Seq: 1, StartedBy: "adam", StartedAt: t0, EndedBy: "adam", EndedAt: t0.Add(time.Hour)},
			{Scene: "9", Seq: 2, StartedBy: "ines", StartedAt: t0.Add(2 * time.Hour)},
			{Scene: "10", Seq: 1, StartedBy: "adam", StartedAt: t0},
			{Scene: "12", Seq: 3, StartedBy: "adam", StartedAt: t0},
		} {
			if err := tx.PutSession(sess); err != nil {
				return err
			}
		}
		return tx.DeleteScene("12")
	})
	var got []bot.Session
	view(t, s, func(tx bot.Tx) error {
		var err error
		got, err = tx.LatestSessions()
		return err
	})
	var keys []string
	for _, sess := range got {
		keys = append(keys, fmt.Sprintf("%s/%d/%s", sess.Scene, sess.Seq, sess.StartedBy))
	}
	if diff := cmp.Diff([]string{"10/1/adam", "12/3/adam", "9/2/ines"}, keys); diff != "" {
		t.Errorf("latest sessions (-want +got):\n%s", diff)
	}
}
