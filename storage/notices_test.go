package storage_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"icbot/bot"
	"icbot/storage"
)

// readNotices reads U1's notice and every notice.
func readNotices(t *testing.T, s *storage.Store) (bot.NoticeState, []bot.NoticeState) {
	t.Helper()
	var one bot.NoticeState
	var all []bot.NoticeState
	view(t, s, func(tx bot.Tx) error {
		var err error
		if one, err = tx.Notice("U1"); err != nil {
			return err
		}
		all, err = tx.Notices()
		return err
	})
	return one, all
}

// TestNoticeRoundTrip: a person's privacy notice record reads back as it
// was put, after a reopen, and, in a sealed file, after a rekey; a person
// without one is ENOTFOUND.
func TestNoticeRoundTrip(t *testing.T) {
	for _, mode := range keyModes {
		t.Run(mode.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "icbot.db")
			s := openAt(t, path, mode.opts...)
			view(t, s, func(tx bot.Tx) error {
				if _, err := tx.Notice("U1"); bot.ErrorCode(err) != bot.ENOTFOUND {
					t.Errorf("Notice of nobody = %v, want ENOTFOUND", err)
				}
				return nil
			})
			u1 := bot.NoticeState{User: "U1", Sent: 2, SentAt: t0, Acked: 1, AckedAt: t0.Add(-48 * 3600e9)}
			u0 := bot.NoticeState{User: "U0", Sent: 1, SentAt: t0}
			update(t, s, func(tx bot.Tx) error {
				if err := tx.PutNotice(u1); err != nil {
					return err
				}
				return tx.PutNotice(u0)
			})
			want := []bot.NoticeState{u0, u1}
			check := func(when string, s *storage.Store) {
				t.Helper()
				one, all := readNotices(t, s)
				if d := cmp.Diff(u1, one, timeEqual); d != "" {
					t.Errorf("%s: Notice (-want +got):\n%s", when, d)
				}
				if d := cmp.Diff(want, all, timeEqual); d != "" {
					t.Errorf("%s: Notices (-want +got):\n%s", when, d)
				}
				if err := s.VerifyRecords(t.Context()); err != nil {
					t.Errorf("%s: VerifyRecords: %v", when, err)
				}
			}
			check("written", s)
			s.Close()
			s = openAt(t, path, mode.opts...)
			check("reopened", s)
			if mode.opts == nil {
				return
			}
			if err := s.Rekey(t.Context(), keyB); err != nil {
				t.Fatal(err)
			}
			s.Close()
			check("rekeyed", openAt(t, path, storage.WithKey(keyB)))
		})
	}
}

// TestNoticeTampered: in a keyed file, a notice record changed without
// the key (an acknowledgement made up) is refused when read, named by its
// place and not its content, and named by VerifyRecords.
func TestNoticeTampered(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s := openAt(t, path, storage.WithKey(keyA))
	update(t, s, func(tx bot.Tx) error { return tx.PutNotice(bot.NoticeState{User: "U1", Sent: 1, SentAt: t0}) })
	s.Close()
	editRecord(t, path, func(r map[string]any) { r["acked"] = 1; r["acked_at"] = "2026-11-30T10:00:00Z" }, bs("notices"), bs("U1"))
	s = openAt(t, path, storage.WithKey(keyA))
	for name, read := range map[string]func(bot.Tx) error{
		"Notice":  func(tx bot.Tx) error { _, err := tx.Notice("U1"); return err },
		"Notices": func(tx bot.Tx) error { _, err := tx.Notices(); return err },
	} {
		err := s.View(t.Context(), read)
		if !errors.Is(err, storage.ErrTampered) || bot.ErrorCode(err) != bot.EINTERNAL || !strings.Contains(err.Error(), "record notices/U1 does not verify") {
			t.Errorf("%s = %v, want an internal ErrTampered naming notices/U1", name, err)
		}
	}
	if err := s.VerifyRecords(t.Context()); !errors.Is(err, storage.ErrTampered) || !strings.Contains(err.Error(), "record notices/U1 ") {
		t.Errorf("VerifyRecords = %v, want notices/U1 named", err)
	}
}

// TestNoticesAfterMigration: a file from before the privacy notice has
// none recorded once migrated, and records one.
func TestNoticesAfterMigration(t *testing.T) {
	s := openAt(t, fixture(t, fixtureSealed), storage.WithKey(keyA))
	view(t, s, func(tx bot.Tx) error {
		all, err := tx.Notices()
		if err == nil && len(all) != 0 {
			t.Errorf("notices in a migrated file: %+v", all)
		}
		return err
	})
	update(t, s, func(tx bot.Tx) error { return tx.PutNotice(bot.NoticeState{User: "U1", Sent: 1, SentAt: t0}) })
	if err := s.VerifyRecords(t.Context()); err != nil {
		t.Errorf("VerifyRecords: %v", err)
	}
}
