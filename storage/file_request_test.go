package storage_test

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"icbot/bot"
	"icbot/storage"
)

// TestFileRequestKeptInOutbox: a delivery that builds a file when sent
// keeps its request (what, which format) through a failed attempt and a
// reopening of the file, so that a restart sends the same file.
func TestFileRequestKeptInOutbox(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s := openAt(t, path, storage.WithKey(keyA))
	req := &bot.FileRequest{Report: "scene", Format: "pdf"}
	enqueueAll(t, s, []bot.Delivery{{Caller: "U5", Created: t0, NextAttempt: t0, File: req,
		Message: bot.Message{To: bot.Destination{Kind: bot.ToUser, User: "U5"}, Class: bot.ClassCrew, Scene: "12", Text: "scene-12.pdf"}}})
	update(t, s, func(tx bot.Tx) error {
		d, err := tx.Delivery(1)
		if err != nil {
			return err
		}
		d.Attempts, d.LastError = 1, "upload failed"
		return tx.PutDelivery(d)
	})
	s.Close()

	s = openAt(t, path, storage.WithKey(keyA))
	defer s.Close()
	view(t, s, func(tx bot.Tx) error {
		ds, err := tx.Deliveries()
		if err != nil {
			return err
		}
		if len(ds) != 1 || ds[0].Attempts != 1 {
			t.Fatalf("deliveries after reopening: %+v", ds)
		}
		if diff := cmp.Diff(req, ds[0].File); diff != "" {
			t.Errorf("file request (-want +got):\n%s", diff)
		}
		return nil
	})
}
